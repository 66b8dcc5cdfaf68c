import * as tf from '@tensorflow/tfjs';
import type { Architecture, ClassScore, EvaluationView, Loss } from '#libs/contracts';
import { allSamples, batches } from './dataset.js';
import { activate, createNetwork, forward, lossOf } from './network.js';
import { decodeWeights } from './weights.js';

const BATCH = 256;

/** Labelled samples to score a model on, as the dataset stores them. */
export interface TestSet {
  pixels: Uint8Array;
  labels: Int32Array;
  /** Each sample's index in its dataset (GET /datasets/:id/samples/:index). */
  indices: Int32Array;
  /** Activation per byte value and channel (see LabelledPixels.table). */
  table: Float32Array;
}

/**
 * Scores trained weights on a test set with the training forward pass and loss: accuracy, mean loss,
 * the confusion matrix, per-class precision/recall/F1 and every misclassified sample.
 */
export async function evaluateModel(architecture: Architecture, weights: Uint8Array, test: TestSet, loss: Loss = 'crossEntropy'): Promise<EvaluationView> {
  const { inputSize, classes } = architecture;
  const k = classes.length;
  const samples = allSamples({ pixels: test.pixels, table: test.table, labels: test.labels }, inputSize);
  const network = createNetwork(architecture, decodeWeights(architecture, weights).values);
  const lossFn = lossOf(loss);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: EvaluationView['misclassified'] = [];
  let lossSum = 0;
  let at = 0;
  try {
    for (const batch of batches(samples, null, BATCH, k)) {
      const tensors = tf.tidy(() => {
        const logits = forward(network, tf.tensor2d(batch.x, [batch.size, inputSize]));
        return [lossFn(logits, tf.tensor2d(batch.y, [batch.size, k])), activate(logits, 'softmax')];
      });
      // Asynchronous reads: the webgpu backend (training threads may run on it) cannot read synchronously in Node.
      const [lossValues, probs] = (await Promise.all(tensors.map((t) => t.data())).finally(() => tf.dispose(tensors))) as Float32Array[];
      const batchLoss = lossValues![0]!;
      lossSum += batchLoss * batch.size;
      for (let r = 0; r < batch.size; r++, at++) {
        const row = probs.subarray(r * k, (r + 1) * k);
        const predicted = argMax(row);
        const label = test.labels[at]!;
        confusion[label]![predicted]!++;
        if (predicted !== label) misclassified.push({ index: test.indices[at]!, label: classes[label]!, predicted: classes[predicted]!, confidence: row[predicted]! });
      }
    }
  } finally {
    network.dispose();
  }
  const correct = confusion.reduce((sum, row, i) => sum + row[i]!, 0);
  return {
    split: 'test',
    samples: samples.count,
    accuracy: samples.count ? correct / samples.count : 0,
    loss: samples.count ? lossSum / samples.count : 0,
    classes,
    confusion,
    perClass: classScores(classes, confusion),
    misclassified,
  };
}

/** Precision, recall and F1 per class from a confusion matrix (rows true, columns predicted). */
export function classScores(classes: string[], confusion: number[][]): ClassScore[] {
  return classes.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}

/** The first index of the largest value, as tf.argMax picks it. */
function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
