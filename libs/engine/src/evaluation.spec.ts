import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { classScores, evaluateModel } from './evaluation.js';
import { encodeWeights } from './weights.js';

describe('evaluation', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('derives precision, recall and F1 per class from a confusion matrix', () => {
    const scores = classScores(['a', 'b', 'c'], [
      [3, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(scores[0]).toEqual({ label: 'a', precision: 3 / 4, recall: 3 / 4, f1: 0.75, support: 4 });
    expect(scores[1]).toEqual({ label: 'b', precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    // Never predicted and never right: zeros, not NaN.
    expect(scores[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('scores weights on labelled bytes: confusion, mistakes by dataset index, and the mean loss', async () => {
    // One linear hidden unit copying pixel 0; the output says "b" when it is bright.
    const architecture: Architecture = { inputSize: 2, layers: [{ units: 1, activation: 'linear' }], classes: ['a', 'b'], input: { width: 2, height: 1, channels: 1 } };
    const weights = encodeWeights([[1, 0], [0], [-4, 4], [2, -2]]);
    const pixels = Uint8Array.from([0, 0, 255, 0, 255, 255, 0, 255]);
    const labels = Int32Array.from([0, 1, 0, 0]);
    const evaluation = await evaluateModel(architecture, weights, { pixels, labels, indices: Int32Array.from([10, 11, 12, 13]), table: Float32Array.from({ length: 256 }, (_, b) => b / 255) });
    expect(evaluation.confusion).toEqual([[2, 1], [0, 1]]);
    expect(evaluation.accuracy).toBe(0.75);
    expect(evaluation.misclassified).toEqual([{ index: 12, label: 'a', predicted: 'b', confidence: expect.closeTo(1 / (1 + Math.exp(-4)), 6) }]);
    // Logits are (2, −2) for a dark pixel 0 and (−2, 2) for a bright one; three samples get p(true) = σ(4), one σ(−4).
    const p = (z: number) => 1 / (1 + Math.exp(-z));
    const expected = (-3 * Math.log(p(4)) - Math.log(p(-4))) / 4;
    expect(evaluation.loss).toBeCloseTo(expected, 5);
  });
});
