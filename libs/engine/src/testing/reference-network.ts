// Plain float64 arithmetic, no tfjs: an independent check of the engine's forward pass and gradients.

export type RefActivation = 'sigmoid' | 'relu' | 'tanh' | 'linear' | 'leakyRelu';
export type RefLossName = 'crossEntropy' | 'mse';

export interface RefLayer {
  /** [inputs][units] */
  w: number[][];
  b: number[];
}

const f: Record<RefActivation, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  relu: (z) => Math.max(0, z),
  tanh: (z) => Math.tanh(z),
  linear: (z) => z,
  leakyRelu: (z) => (z > 0 ? z : 0.01 * z),
};

/** f'(z) written in terms of z, as backpropagation uses it. */
const df: Record<RefActivation, (z: number) => number> = {
  sigmoid: (z) => f.sigmoid(z) * (1 - f.sigmoid(z)),
  relu: (z) => (z > 0 ? 1 : 0),
  tanh: (z) => 1 - Math.tanh(z) ** 2,
  linear: () => 1,
  leakyRelu: (z) => (z > 0 ? 1 : 0.01),
};

/** z_j = Σ_i a_i W_ij + b_j */
export function refDense(a: number[], layer: RefLayer): number[] {
  return layer.b.map((bj, j) => a.reduce((sum, ai, i) => sum + ai * layer.w[i]![j]!, bj));
}

export function refSoftmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / total);
}

/** Per-layer pre-activations z and activations a (a[0] is the input; the last a is the softmax). */
export function refForward(layers: RefLayer[], activations: RefActivation[], x: number[]): { zs: number[][]; as: number[][] } {
  const zs: number[][] = [];
  const as: number[][] = [x];
  layers.forEach((layer, l) => {
    const z = refDense(as[l]!, layer);
    zs.push(z);
    as.push(l === layers.length - 1 ? refSoftmax(z) : z.map(f[activations[l]!]));
  });
  return { zs, as };
}

/** Mean cross-entropy −log p(label) over the samples, or the mean over samples and classes of (p − y)². */
export function refLoss(layers: RefLayer[], activations: RefActivation[], xs: number[][], labels: number[], loss: RefLossName = 'crossEntropy'): number {
  return (
    xs.reduce((sum, x, n) => {
      const p = refForward(layers, activations, x).as.at(-1)!;
      if (loss === 'crossEntropy') return sum - Math.log(p[labels[n]!]!);
      return sum + p.reduce((s, pk, k) => s + (pk - (k === labels[n] ? 1 : 0)) ** 2, 0) / p.length;
    }, 0) / xs.length
  );
}

/** Backpropagation by hand: dL/dz of the softmax layer is p − y, then the chain rule layer by layer. */
export function refGradients(layers: RefLayer[], activations: RefActivation[], xs: number[][], labels: number[]): RefLayer[] {
  const grads = layers.map((l) => ({ w: l.w.map((row) => row.map(() => 0)), b: l.b.map(() => 0) }));
  xs.forEach((x, n) => {
    const { zs, as } = refForward(layers, activations, x);
    let delta = as.at(-1)!.map((p, k) => (p - (k === labels[n] ? 1 : 0)) / xs.length);
    for (let l = layers.length - 1; l >= 0; l--) {
      const input = as[l]!;
      input.forEach((ai, i) => delta.forEach((dj, j) => (grads[l]!.w[i]![j]! += ai * dj)));
      delta.forEach((dj, j) => (grads[l]!.b[j]! += dj));
      if (l > 0) {
        const below = delta;
        delta = zs[l - 1]!.map((z, i) => below.reduce((s, dj, j) => s + layers[l]!.w[i]![j]! * dj, 0) * df[activations[l - 1]!](z));
      }
    }
  });
  return grads;
}

/** W0, b0, W1, b1, … flattened row-major, the engine's layout. */
export function refFlatten(layers: RefLayer[]): Float32Array[] {
  return layers.flatMap((l) => [Float32Array.from(l.w.flat()), Float32Array.from(l.b)]);
}
