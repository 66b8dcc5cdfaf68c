import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { allSamples, batches } from './dataset.js';
import { createNetwork, probabilities } from './network.js';
import { parameterViews } from './weights.js';

const BATCH = 256;

/**
 * Class probabilities, one row per sample, for bytes laid out as the dataset's (numSamples × inputSize);
 * `table` turns bytes into activations as in training (see LabelledPixels.table; absent means byte / 255).
 */
export function predict(architecture: Architecture, weights: Uint8Array, pixels: Uint8Array, table?: Float32Array): number[][] {
  const { inputSize } = architecture;
  const samples = allSamples({ pixels, table }, inputSize);
  const network = createNetwork(architecture, parameterViews(architecture, weights));
  try {
    const rows: number[][] = [];
    for (const batch of batches(samples, null, BATCH, 1)) {
      rows.push(...tf.tidy(() => probabilities(network, tf.tensor2d(batch.x, [batch.size, inputSize])).arraySync()));
    }
    return rows;
  } finally {
    network.dispose();
  }
}
