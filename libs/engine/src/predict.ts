import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { createNetwork, probabilities } from './network.js';
import { decodeWeights } from './weights.js';

const BATCH = 256;

/** Class probabilities, one row per sample, for bytes laid out as the dataset's (numSamples × inputSize). */
export function predict(architecture: Architecture, weights: Uint8Array, pixels: Uint8Array): number[][] {
  const { inputSize } = architecture;
  if (pixels.length % inputSize !== 0) throw new Error(`${pixels.length} pixels is not a whole number of ${inputSize}-pixel samples`);
  const network = createNetwork(architecture, decodeWeights(architecture, weights).values);
  try {
    const rows: number[][] = [];
    const count = pixels.length / inputSize;
    for (let start = 0; start < count; start += BATCH) {
      const size = Math.min(BATCH, count - start);
      const x = Float32Array.from(pixels.subarray(start * inputSize, (start + size) * inputSize), (p) => p / 255);
      const probs = tf.tidy(() => probabilities(network, tf.tensor2d(x, [size, inputSize])).arraySync());
      rows.push(...probs);
    }
    return rows;
  } finally {
    network.dispose();
  }
}
