import * as tf from '@tensorflow/tfjs';
import type { DataId, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from './native.js';
import { ArrayPool } from './pool.js';

/** Output arrays of the native kernels, recycled when tfjs frees their tensors (see pool.ts and cpu-blas.ts). */
export const pool = new ArrayPool();

/** The part of tfjs's MathBackendCPU these kernels use: the 'cpu-blas' backend is a MathBackendCPU. */
interface CpuBackend {
  data: { get(id: DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

type Args = { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap };

/**
 * A native kernel for the shapes and dtypes it handles; it returns null for anything else and tfjs's own
 * cpu kernel (`fallback`) runs instead, so every input the cpu backend accepts still works.
 */
type FastKernel = (args: Args, native: NativeKernels) => TensorInfo | null;

// Op codes shared with kernels.cc.
const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
const MODE = { same: 0, scalarB: 1, scalarA: 2, rowB: 3, rowA: 4, colB: 5, colA: 6 } as const;
const UNARY = { Relu: 0, Step: 1, Sigmoid: 2, Tanh: 3, LeakyRelu: 4, Neg: 5, Square: 6, linear: 7, Exp: 8, Log: 9 } as const;

function floats(backend: CpuBackend, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** C = op(A)·op(B) per batch, batch dimensions broadcast as tfjs's cpu kernel does (index modulo size). */
const batchMatMul: FastKernel = ({ inputs, backend, attrs }, native) => {
  const cpu = backend as CpuBackend;
  const { a, b } = inputs;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  return matMul(cpu, native, a!, b!, transposeA, transposeB);
};

function matMul(cpu: CpuBackend, native: NativeKernels, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | null {
  const av = floats(cpu, a);
  const bv = floats(cpu, b);
  const ar = a.shape.length;
  const br = b.shape.length;
  if (!av || !bv || ar < 2 || br < 2) return null;
  const k = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (k !== kb) return null; // tfjs's kernel throws its own message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = size(outerA);
  const batchB = size(outerB);
  const batch = Math.max(batchA, batchB);
  if (m * n * batch === 0) return null;
  const out = pool.take(batch * m * n);
  for (let i = 0; i < batch; i++) {
    native.sgemm(transposeA, transposeB, m, n, k, av, (i % batchA) * m * k, bv, (i % batchB) * k * n, out, i * m * n);
  }
  return cpu.makeTensorInfo([...outer, m, n], 'float32', out);
}

/** How b (or a) spreads over the output: same shape, a scalar, a trailing row, or a leading column. */
function broadcastMode(a: number[], b: number[], out: number[]): { mode: number; inner: number } | null {
  const total = size(out);
  const sa = size(a);
  const sb = size(b);
  if (sa === total && sb === total) return { mode: MODE.same, inner: 1 };
  if (sa === total && sb === 1) return { mode: MODE.scalarB, inner: 1 };
  if (sb === total && sa === 1) return { mode: MODE.scalarA, inner: 1 };
  const side = sa === total ? { shape: b, row: MODE.rowB, col: MODE.colB } : sb === total ? { shape: a, row: MODE.rowA, col: MODE.colA } : null;
  if (!side) return null;
  const padded = [...Array<number>(out.length - side.shape.length).fill(1), ...side.shape];
  // Row: ones, then out's trailing dims (bias [n] over [m, n]). Column: out's leading dims, then ones ([m, 1] over [m, n]).
  for (let split = 1; split < out.length; split++) {
    const head = padded.slice(0, split);
    const tail = padded.slice(split);
    if (head.every((d) => d === 1) && tail.every((d, i) => d === out[split + i])) return { mode: side.row, inner: size(tail) };
    if (tail.every((d) => d === 1) && head.every((d, i) => d === out[i])) return { mode: side.col, inner: size(out.slice(split)) };
  }
  return null;
}

function binary(op: number): FastKernel {
  return ({ inputs, backend }, native) => {
    const cpu = backend as CpuBackend;
    const { a, b } = inputs;
    const av = floats(cpu, a);
    const bv = floats(cpu, b);
    if (!av || !bv) return null;
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    const how = broadcastMode(a!.shape, b!.shape, shape);
    if (!how) return null;
    const out = pool.take(size(shape));
    native.binary(op, how.mode, av, bv, out, how.inner);
    return cpu.makeTensorInfo(shape, 'float32', out);
  };
}

function unary(op: number, alphaOf: (attrs: NamedAttrMap | undefined) => number = () => 0): FastKernel {
  return ({ inputs, backend, attrs }, native) => {
    const cpu = backend as CpuBackend;
    const { x } = inputs;
    const xv = floats(cpu, x);
    if (!xv) return null;
    const out = pool.take(size(x!.shape));
    native.unary(op, xv, out, alphaOf(attrs));
    return cpu.makeTensorInfo(x!.shape, 'float32', out);
  };
}

/** Sum over leading axes (the bias gradient: [batch, units] → [units]) or trailing ones (row sums). */
const sum: FastKernel = ({ inputs, backend, attrs }, native) => {
  const cpu = backend as CpuBackend;
  const { x } = inputs;
  const xv = floats(cpu, x);
  if (!xv) return null;
  const shape = x!.shape;
  const axes = [...new Set(tf.util.parseAxisParam(attrs?.axis as number | number[], shape))].sort((p, q) => p - q);
  const r = axes.length;
  if (r === 0) return null;
  const leading = axes.every((axis, i) => axis === i);
  const trailing = axes.every((axis, i) => axis === shape.length - r + i);
  if (!leading && !trailing) return null;
  const reduced = size(axes.map((axis) => shape[axis]!));
  const kept = size(shape) / reduced;
  if (reduced === 0 || kept === 0) return null;
  const out = pool.take(kept);
  if (leading) native.sum(xv, reduced, kept, 0, out);
  else native.sum(xv, kept, reduced, 1, out);
  const outShape = attrs?.keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  return cpu.makeTensorInfo(outShape, 'float32', out);
};

const FUSED_ACTIVATIONS: Record<string, number> = { linear: UNARY.linear, relu: UNARY.Relu, sigmoid: UNARY.Sigmoid, leakyrelu: UNARY.LeakyRelu };

/** tf.fused.matMul (what tf.layers' dense runs): sgemm, then bias and activation in one pass over C. */
const fusedMatMul: FastKernel = ({ inputs, backend, attrs }, native) => {
  const cpu = backend as CpuBackend;
  const { a, b, bias, preluActivationWeights } = inputs;
  const activation = String(attrs?.activation ?? 'linear');
  const op = FUSED_ACTIVATIONS[activation];
  if (op === undefined || preluActivationWeights) return null;
  let biasValues: Float32Array | null = null;
  if (bias) {
    biasValues = floats(cpu, bias);
    const n = Boolean(attrs?.transposeB) ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
    // Only a bias that is one value per output column ([n] or [1, n]); anything else takes tfjs's path.
    if (!biasValues || biasValues.length !== n || bias.shape[bias.shape.length - 1] !== n) return null;
  }
  const product = matMul(cpu, native, a!, b!, Boolean(attrs?.transposeA), Boolean(attrs?.transposeB));
  if (!product) return null;
  const values = floats(cpu, product)!;
  const alpha = op === UNARY.LeakyRelu ? Number(attrs?.leakyreluAlpha ?? 0.2) : 0;
  native.biasActivate(values, product.shape[product.shape.length - 1]!, biasValues, op, alpha);
  return product;
};

/** Kernels the 'cpu-blas' backend runs natively; every other kernel is tfjs's cpu kernel, unchanged. */
export const FAST_KERNELS: Record<string, FastKernel> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Add: binary(BINARY.Add),
  Sub: binary(BINARY.Sub),
  Multiply: binary(BINARY.Multiply),
  RealDiv: binary(BINARY.RealDiv),
  Relu: unary(UNARY.Relu),
  Step: unary(UNARY.Step, (attrs) => Number(attrs?.alpha ?? 0)),
  Sigmoid: unary(UNARY.Sigmoid),
  Tanh: unary(UNARY.Tanh),
  LeakyRelu: unary(UNARY.LeakyRelu, (attrs) => Number(attrs?.alpha ?? 0.2)),
  Neg: unary(UNARY.Neg),
  Square: unary(UNARY.Square),
  Exp: unary(UNARY.Exp),
  Log: unary(UNARY.Log),
  Sum: sum,
};

/**
 * Every other kernel of the backend: tfjs's cpu kernel, watched for outputs that share an input's buffer
 * (Slice returns a view of its input), which the pool must then never reuse.
 */
export function guardAliases(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const result = fallback(args);
    const backend = args.backend as CpuBackend;
    const outputs = Array.isArray(result) ? result : [result];
    for (const input of Object.values(args.inputs)) {
      if (!input) continue;
      const inValues = backend.data.get(input.dataId)?.values;
      if (!ArrayBuffer.isView(inValues)) continue;
      for (const output of outputs) {
        if (output.dataId === input.dataId) continue;
        const outValues = backend.data.get(output.dataId)?.values;
        if (ArrayBuffer.isView(outValues) && outValues.buffer === inValues.buffer) pool.escape(inValues);
      }
    }
    return result;
  };
}

/** Calls per kernel that ran natively and that fell back to tfjs's cpu kernel, for tests and benchmarks. */
export const kernelCalls: Record<string, { native: number; fallback: number }> = {};

/** The kernel function registered for 'cpu-blas': the native path, else tfjs's cpu kernel. */
export function withFallback(name: string, fast: FastKernel, native: NativeKernels, fallback: KernelFunc): KernelFunc {
  const calls = (kernelCalls[name] ??= { native: 0, fallback: 0 });
  const guarded = guardAliases(fallback);
  return (args) => {
    const result = fast(args, native);
    if (result) {
      calls.native++;
      return result;
    }
    calls.fallback++;
    return guarded(args);
  };
}
