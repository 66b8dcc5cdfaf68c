import * as tf from '@tensorflow/tfjs';
import type { Activation, Architecture, Loss } from '#libs/contracts';
import { createNetwork, forward, lossOf } from '../network.js';
import { createRng } from '../rng.js';
import { refFlatten, refLoss, type RefLayer } from './reference-network.js';

/** One parameter's gradient: the engine's (on tfjs's current backend) and the reference network's central difference. */
export interface GradientPair {
  analytic: number;
  numeric: number;
}

/**
 * A seeded 3-4-3-3 network with `activation` in both hidden layers: every weight's and bias's gradient of
 * `loss` on four samples, from the engine on the current backend and by finite differences in float64.
 */
export async function gradientCheck(activation: Activation, loss: Loss, eps = 1e-6): Promise<GradientPair[]> {
  const rng = createRng(7);
  const r = () => Math.fround(rng() * 2 - 1);
  const sizes = [3, 4, 3, 3];
  const layers: RefLayer[] = sizes.slice(1).map((units, l) => ({
    w: Array.from({ length: sizes[l]! }, () => Array.from({ length: units }, r)),
    b: Array.from({ length: units }, r),
  }));
  const xs = [0, 1, 2, 3].map(() => [0, 1, 2].map(() => Math.fround(rng())));
  const labels = [0, 2, 1, 2];
  const acts = [activation, activation];
  const architecture: Architecture = {
    inputSize: 3,
    layers: [{ units: 4, activation }, { units: 3, activation }],
    classes: ['a', 'b', 'c'],
    input: { width: 3, height: 1, channels: 1 },
  };

  const network = createNetwork(architecture, refFlatten(layers));
  const tensors = tf.tidy(() => {
    const x = tf.tensor2d(xs);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D;
    const { grads } = tf.variableGrads(() => lossOf(loss)(forward(network, x), y), network.variables);
    return network.variables.map((v) => grads[v.name]!);
  });
  // Read asynchronously: the webgpu backend has no synchronous read in Node.
  const grads = await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
  tf.dispose(tensors);
  network.dispose();

  const pairs: GradientPair[] = [];
  layers.forEach((layer, l) => {
    const params = [...layer.w, layer.b];
    params.forEach((row, p) => {
      row.forEach((v, c) => {
        row[c] = v + eps;
        const up = refLoss(layers, acts, xs, labels, loss);
        row[c] = v - eps;
        const down = refLoss(layers, acts, xs, labels, loss);
        row[c] = v;
        const isBias = p === params.length - 1;
        const analytic = isBias ? grads[2 * l + 1]![c]! : grads[2 * l]![p * row.length + c]!;
        pairs.push({ analytic, numeric: (up - down) / (2 * eps) });
      });
    });
  });
  return pairs;
}
