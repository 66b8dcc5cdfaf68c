import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { allSamples, batches } from './dataset.js';
import { activate, createNetwork, dense, probabilities } from './network.js';
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

/** One layer as one input passed through it: z = W·a + b (no b without bias), then a = f(z). */
export interface LayerTrace {
  z: Float32Array;
  a: Float32Array;
}

/**
 * One input's way through the network, layer by layer, with the same kernels as `predict` (the last
 * layer's `a` is the softmax, so it equals predict's probabilities for that input).
 */
export function traceLayers(architecture: Architecture, weights: Uint8Array, activations: Float32Array): LayerTrace[] {
  const network = createNetwork(architecture, parameterViews(architecture, weights));
  const traces: LayerTrace[] = [];
  let a = tf.tensor2d(activations, [1, architecture.inputSize]);
  try {
    for (const layer of network.layers) {
      const [z, next] = tf.tidy(() => {
        const z = dense(a, layer.weights, layer.bias);
        return [z, activate(z, layer.activation)];
      });
      // Copies: a backend may reuse its arrays once the tensors are disposed.
      traces.push({ z: (z.dataSync() as Float32Array).slice(), a: (next.dataSync() as Float32Array).slice() });
      if (z !== next) z.dispose();
      a.dispose();
      a = next;
    }
    return traces;
  } finally {
    a.dispose();
    network.dispose();
  }
}
