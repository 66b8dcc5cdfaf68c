import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type Architecture, type TrainingSpec } from '#libs/contracts';
import { selectBackend } from './backend.js';
import { createNetwork, crossEntropy, forward, initialValues, probabilities } from './network.js';
import { gradientCheck } from './testing/gradient-check.js';
import { refFlatten, refGradients, refLoss, type RefLayer } from './testing/reference-network.js';
import { train } from './trainer.js';
import { decodeWeights, encodeWeights } from './weights.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('a 2-2-2 network with hand-picked weights', () => {
  const architecture: Architecture = {
    inputSize: 2,
    layers: [{ units: 2, activation: 'sigmoid' }],
    classes: ['a', 'b'],
    input: { width: 2, height: 1, channels: 1 },
  };
  const layers: RefLayer[] = [
    { w: [[0.1, 0.2], [0.3, 0.4]], b: [0.01, -0.02] },
    { w: [[0.5, -0.6], [0.7, 0.8]], b: [0, 0.1] },
  ];

  it('computes W·a + b, the sigmoid, the softmax and the loss as arithmetic by hand does', () => {
    const a = [1, 0.2];
    const z1 = [1 * 0.1 + 0.2 * 0.3 + 0.01, 1 * 0.2 + 0.2 * 0.4 - 0.02];
    const h = z1.map(sigmoid);
    const z2 = [h[0]! * 0.5 + h[1]! * 0.7 + 0, h[0]! * -0.6 + h[1]! * 0.8 + 0.1];
    const e = z2.map(Math.exp);
    const p = e.map((v) => v / (e[0]! + e[1]!));
    const loss = -Math.log(p[1]!);

    const network = createNetwork(architecture, refFlatten(layers));
    const [probs, lossT] = tf.tidy(() => {
      const x = tf.tensor2d([a]);
      return [probabilities(network, x).arraySync()[0]!, crossEntropy(forward(network, x), tf.tensor2d([[0, 1]])).dataSync()[0]!];
    });
    network.dispose();
    expect(probs[0]).toBeCloseTo(p[0]!, 6);
    expect(probs[1]).toBeCloseTo(p[1]!, 6);
    expect(lossT).toBeCloseTo(loss, 6);
  });

  it('takes one sgd step that matches the hand-derived gradients', async () => {
    // Bytes 255, 51 and 102, 204 are the activations 1, 0.2 and 0.4, 0.8.
    const xs = [[1, 0.2], [0.4, 0.8]];
    const labels = [1, 0];
    const learningRate = 0.5;
    const spec: TrainingSpec = {
      layers: architecture.layers,
      optimizer: { name: 'sgd', learningRate },
      batchSize: 2,
      epochs: 1,
      seed: 1,
      validationSplit: 0,
    };
    const losses: number[] = [];
    const result = await train({ pixels: Uint8Array.from([255, 51, 102, 204]), labels: Int32Array.from(labels) }, spec, architecture, {
      initialWeights: encodeWeights(refFlatten(layers)),
      onEpoch: (r) => void losses.push(r.loss),
    });

    const grads = refGradients(layers, ['sigmoid'], xs, labels);
    const expected = layers.map((l, i) => ({
      w: l.w.map((row, r) => row.map((v, c) => v - learningRate * grads[i]!.w[r]![c]!)),
      b: l.b.map((v, j) => v - learningRate * grads[i]!.b[j]!),
    }));
    expect(losses[0]).toBeCloseTo(refLoss(layers, ['sigmoid'], xs, labels), 6);
    const after = decodeWeights(architecture, result.weights).values;
    refFlatten(expected).forEach((values, i) => values.forEach((v, j) => expect(after[i]![j]).toBeCloseTo(v, 6)));
  });
});

describe('backpropagation', () => {
  const cases = [
    ...ACTIVATIONS.map((activation) => ({ activation, loss: 'crossEntropy' as const })),
    ...ACTIVATIONS.map((activation) => ({ activation, loss: 'mse' as const })),
  ];
  it.each(cases)('gives the finite-difference gradients through $activation layers under $loss', async ({ activation, loss }) => {
    for (const { analytic, numeric } of await gradientCheck(activation, loss)) {
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-5 + 1e-3 * Math.abs(numeric));
    }
  });
});

describe('initial weights', () => {
  const architecture: Architecture = {
    inputSize: 400,
    layers: [{ units: 100, activation: 'relu' }, { units: 50, activation: 'tanh' }],
    classes: ['a', 'b'],
    input: { width: 20, height: 20, channels: 1 },
  };

  it('are He-uniform for relu, Glorot-uniform otherwise, zero for biases, and the same for the same seed', () => {
    const values = initialValues(architecture, 3);
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(values[0]!)).toBeLessThanOrEqual(Math.sqrt(6 / 400));
    expect(maxAbs(values[0]!)).toBeGreaterThan(0.95 * Math.sqrt(6 / 400));
    expect(maxAbs(values[2]!)).toBeLessThanOrEqual(Math.sqrt(6 / 150));
    expect(maxAbs(values[2]!)).toBeGreaterThan(0.95 * Math.sqrt(6 / 150));
    expect(maxAbs(values[4]!)).toBeLessThanOrEqual(Math.sqrt(6 / 52));
    expect([values[1], values[3], values[5]].every((b) => b!.every((v) => v === 0))).toBe(true);
    expect(initialValues(architecture, 3)).toEqual(values);
    expect(initialValues(architecture, 4)[0]).not.toEqual(values[0]);
  });
});
