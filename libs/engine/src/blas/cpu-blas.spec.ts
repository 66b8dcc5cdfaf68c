import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import type { Architecture, TrainingSpec } from '#libs/contracts';
import { BackendUnavailableError, selectBackend } from '../backend.js';
import { createRng } from '../rng.js';
import { xorBlobs } from '../testing/toy-data.js';
import { epochsOn } from '../testing/epochs-on.js';
import { train, type EpochResult } from '../trainer.js';
import { batches, epochOrder, splitDataset } from '../dataset.js';
import { createOptimizer } from '../optimizer.js';
import { decodeWeights } from '../weights.js';
import { CPU_BLAS, describe as describeBlas, kernelCalls, pool, registerCpuBlas } from './cpu-blas.js';
import { blasCandidates, findAddon, loadNativeBlas } from './native.js';

// Where the addon is not built or no BLAS library is installed (a machine without libopenblas0-pthread),
// the backend must say why and auto must fall back; where it is, it must compute what 'cpu' computes.
let unavailable: string | null = null;
try {
  registerCpuBlas();
} catch (error) {
  unavailable = (error as Error).message;
}
const whenAvailable = unavailable === null ? describe : describe.skip;

afterAll(async () => {
  await selectBackend('cpu');
});

function randomTensor(shape: number[], seed: number, scale = 2): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (rng() - 0.5) * scale), shape);
}

/** Runs fn on a backend and returns what it made as plain numbers, so results can be compared across backends. */
async function on(backend: 'cpu' | typeof CPU_BLAS, fn: () => tf.Tensor): Promise<{ shape: number[]; dtype: string; values: number[] }> {
  await selectBackend(backend);
  return tf.tidy(() => {
    const t = fn();
    return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as Float32Array) };
  });
}

const calls = (kernel: string, path: 'native' | 'fallback'): number => kernelCalls[kernel]?.[path] ?? 0;

/** Same result on both backends; `path` says which way cpu-blas must have run `kernel` for it. */
async function expectSame(fn: () => tf.Tensor, tolerance = 0, kernel?: [string, 'native' | 'fallback']): Promise<void> {
  const cpu = await on('cpu', fn);
  const before = kernel ? calls(...kernel) : 0;
  const blas = await on(CPU_BLAS, fn);
  if (kernel) expect(calls(...kernel)).toBeGreaterThan(before);
  expect(blas.shape).toEqual(cpu.shape);
  expect(blas.dtype).toBe(cpu.dtype);
  if (tolerance === 0) {
    // NaN equals NaN here; elementwise kernels must be bit-for-bit what tfjs's cpu kernels give.
    expect(blas.values).toEqual(cpu.values);
  } else {
    blas.values.forEach((v, i) => expect(Math.abs(v - cpu.values[i]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(cpu.values[i]!))));
  }
}

describe('the cpu-blas backend where it cannot load', () => {
  it('names what is missing: the addon, or a BLAS library (with the package to install)', () => {
    if (unavailable !== null) {
      expect(unavailable).toMatch(/native kernels addon|BLAS library|switched off/);
      return;
    }
    // Available here: a child process shows what a machine without the library reports.
    const addon = findAddon()!;
    const script = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addon)});
      try { m.exports.open(['/nonexistent/libopenblas.so.0']); } catch (e) { console.log(e.message); }`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/^no BLAS library with cblas_sgemm could be opened: .*\/nonexistent\/libopenblas\.so\.0/);
  });

  it('is skipped by auto and refused when forced, when switched off with TRAINYARD_BLAS_LIBRARY=off', async () => {
    const saved = process.env.TRAINYARD_BLAS_LIBRARY;
    process.env.TRAINYARD_BLAS_LIBRARY = 'off';
    try {
      expect(() => loadNativeBlas()).toThrow(/switched off/);
      const error = await selectBackend(CPU_BLAS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toMatch(/^compute backend 'cpu-blas' could not be loaded: BLAS kernels are switched off/);
      expect((await selectBackend('auto')).name).not.toBe(CPU_BLAS);
    } finally {
      if (saved === undefined) delete process.env.TRAINYARD_BLAS_LIBRARY;
      else process.env.TRAINYARD_BLAS_LIBRARY = saved;
    }
  });

  it('looks for OpenBLAS first, and for exactly the library TRAINYARD_BLAS_LIBRARY names', () => {
    expect(blasCandidates({})[0]).toMatch(/openblas/i);
    expect(blasCandidates({ TRAINYARD_BLAS_LIBRARY: '/opt/blis/libblis.so.4' })).toEqual(['/opt/blis/libblis.so.4']);
  });

  it('describes the library for people', () => {
    const kernels = {} as never;
    expect(describeBlas({ kernels, library: 'libopenblas.so.0', config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64', threads: 2 })).toBe(
      'cpu (OpenBLAS 0.3.21 Cooperlake, 2 threads)',
    );
    expect(describeBlas({ kernels, library: 'libmkl_rt.so', config: '', threads: null })).toBe('cpu (libmkl_rt.so)');
  });
});

whenAvailable('the cpu-blas backend', () => {
  it('builds batches from bytes with the addon exactly as the JS loop does, per channel', () => {
    const rng = createRng(4);
    const inputSize = 12;
    const data = {
      pixels: Uint8Array.from({ length: 40 * inputSize }, () => Math.floor(rng() * 256)),
      labels: Int32Array.from({ length: 40 }, (_, i) => i % 3),
      table: Float32Array.from({ length: 3 * 256 }, () => rng() * 4 - 2),
    };
    const { train: samples } = splitDataset(data, inputSize, 3, 0.25, 1);
    const all = () => [...batches(samples, epochOrder(samples.count, 1, 0), 7, 3)];
    const native = all();
    process.env.TRAINYARD_BLAS_LIBRARY = 'off';
    try {
      expect(native).toEqual(all());
    } finally {
      delete process.env.TRAINYARD_BLAS_LIBRARY;
    }
    const { kernels } = loadNativeBlas();
    expect(() => kernels.lookupRows(data.pixels, Int32Array.of(40), inputSize, data.table, new Float32Array(inputSize))).toThrow(/outside the pixels/);
  });

  it('is what auto picks where tfjs-node is not installed', async () => {
    const info = await selectBackend('auto');
    if (info.name === 'tensorflow') return;
    expect(info).toEqual({ name: CPU_BLAS, device: expect.stringMatching(/^cpu \(.+\)$/), gpu: false });
    expect(tf.getBackend()).toBe(CPU_BLAS);
  });

  it('multiplies matrices as the cpu backend does, in every transpose and with broadcast batches', async () => {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      await expectSame(
        () => tf.matMul(randomTensor(transposeA ? [37, 19] : [19, 37], 1), randomTensor(transposeB ? [23, 37] : [37, 23], 2), transposeA, transposeB),
        1e-5,
        ['BatchMatMul', 'native'],
      );
    }
    await expectSame(() => tf.matMul(randomTensor([3, 5, 7], 3), randomTensor([7, 4], 4)), 1e-5);
    await expectSame(() => tf.matMul(randomTensor([2, 1, 5, 7], 5), randomTensor([3, 7, 4], 6), false, false), 1e-5, ['BatchMatMul', 'native']);
    await expectSame(() => tf.matMul(randomTensor([0, 7], 7), randomTensor([7, 4], 8)), 0, ['BatchMatMul', 'fallback']);
    // A dense layer's shapes, and the fused op tf.layers uses.
    await expectSame(() => tf.matMul(randomTensor([256, 784], 9, 1), randomTensor([784, 128], 10, 0.1)), 1e-5);
    for (const activation of ['linear', 'relu', 'sigmoid', 'leakyrelu', 'elu'] as const) {
      const path = activation === 'elu' ? 'fallback' : 'native';
      await expectSame(() => tf.fused.matMul({ a: randomTensor([9, 6], 11), b: randomTensor([6, 5], 12), bias: randomTensor([5], 13), activation }), 1e-5, ['_FusedMatMul', path]);
    }
    await expectSame(
      () => tf.fused.matMul({ a: randomTensor([6, 9], 11), b: randomTensor([5, 6], 12), transposeA: true, transposeB: true, activation: 'relu' }),
      1e-5,
      ['_FusedMatMul', 'native'],
    );
    await expectSame(() => tf.fused.matMul({ a: randomTensor([9, 6], 11), b: randomTensor([6, 5], 12), bias: randomTensor([9, 5], 13) }), 1e-5, ['_FusedMatMul', 'fallback']);
  });

  it('splits large products over its threads by rows, columns or the inner dimension, with one result whoever runs what', async () => {
    await selectBackend(CPU_BLAS);
    // Just above the addon's 4 MFLOP threshold: rows of C (M longest), columns (N longest), the inner dimension (K long).
    for (const [m, n, k] of [
      [256, 64, 128],
      [64, 256, 128],
      [32, 32, 2048],
    ] as const) {
      for (const [transposeA, transposeB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const a = randomTensor(transposeA ? [k, m] : [m, k], m + k);
        const b = randomTensor(transposeB ? [n, k] : [k, n], n + k);
        const av = a.dataSync();
        const bv = b.dataSync();
        const before = calls('BatchMatMul', 'native');
        const c = tf.matMul(a, b, transposeA, transposeB);
        expect(calls('BatchMatMul', 'native')).toBe(before + 1);
        const cv = c.dataSync();
        let worst = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            let scale = 0;
            for (let p = 0; p < k; p++) {
              const term = av[transposeA ? p * m + i : i * k + p]! * bv[transposeB ? j * k + p : p * n + j]!;
              sum += term;
              scale += Math.abs(term);
            }
            // float32 sums of k terms: error relative to the sum of the terms' sizes.
            worst = Math.max(worst, Math.abs(cv[i * n + j]! - sum) / scale);
          }
        }
        expect(worst).toBeLessThan(1e-5);
        tf.dispose([a, b, c]);
      }
    }
    const a = randomTensor([32, 4096], 71);
    const b = randomTensor([4096, 48], 72);
    const first = tf.matMul(a, b);
    const expected = Array.from(first.dataSync());
    for (let i = 0; i < 10; i++) {
      const again = tf.matMul(a, b);
      expect(Array.from(again.dataSync())).toEqual(expected);
      again.dispose();
    }
    tf.dispose([a, b, first]);
  });

  it('computes the same products when two JS threads multiply at once (one team, taken in turn)', () => {
    const addon = findAddon()!;
    const script = `
      const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
      const load = () => { const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addon)}); m.exports.open(${JSON.stringify(blasCandidates())}); m.exports.setThreads(2); return m.exports; };
      const fill = (n, seed) => Float32Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % 1000) / 1000 - 0.5);
      const [m, n, k] = [128, 96, 512];
      const a = fill(m * k, 1), b = fill(k * n, 2);
      const once = (kernels) => { const c = new Float32Array(m * n); kernels.sgemm(false, false, m, n, k, a, 0, b, 0, c, 0); return c; };
      if (isMainThread) {
        const kernels = load();
        const expected = once(kernels);
        const workers = [0, 1].map(() => new Worker(__filename.endsWith('[eval]') ? process.argv[1] : __filename, { eval: true, argv: [] }));
        let bad = 0, finished = 0, ready = 0;
        workers.forEach((w) => w.on('message', (message) => {
          if (message === 'ready') {
            if (++ready < 2) return;
            workers.forEach((w) => w.postMessage(expected));
            for (let r = 0; r < 100; r++) if (once(kernels).some((v, i) => v !== expected[i])) bad++;
            return;
          }
          bad += message;
          if (++finished === 2) { console.log(bad === 0 ? 'same' : bad + ' different'); process.exit(0); }
        }));
      } else {
        const kernels = load();
        parentPort.once('message', (expected) => {
          let bad = 0;
          for (let r = 0; r < 100; r++) if (once(kernels).some((v, i) => v !== expected[i])) bad++;
          parentPort.postMessage(bad);
        });
        parentPort.postMessage('ready');
      }`;
    const result = spawnSync(process.execPath, ['-e', script, script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('same');
  });

  it('does elementwise arithmetic bit for bit as the cpu backend, in every broadcast and with NaN and ±Infinity', async () => {
    const special = () => tf.tensor([NaN, Infinity, -Infinity, 0, -0, 1e-30, -3.5, 2, 7, -1, 0.5, 1e30], [3, 4]);
    const shapes: [number[], number[]][] = [
      [[3, 4], [3, 4]],
      [[3, 4], []],
      [[], [3, 4]],
      [[3, 4], [4]],
      [[4], [3, 4]],
      [[3, 4], [1, 4]],
      [[3, 4], [3, 1]],
      [[3, 1], [3, 4]],
      [[2, 3, 4], [3, 4]],
      [[2, 3, 4], [2, 1, 1]],
      [[2, 1, 4], [1, 3, 1]], // both sides broadcast: tfjs's own kernel
    ];
    for (const [op, kernel] of [
      [tf.add, 'Add'],
      [tf.sub, 'Sub'],
      [tf.mul, 'Multiply'],
      [tf.div, 'RealDiv'],
    ] as const) {
      for (const [sa, sb] of shapes) {
        const both = sa.length === 3 && sb.length === 3 && sa[1] === 1 && sb[0] === 1;
        await expectSame(() => op(randomTensor(sa, 21), randomTensor(sb, 22)), 0, [kernel, both ? 'fallback' : 'native']);
      }
      await expectSame(() => op(special(), tf.tensor([0, -2, Infinity, NaN], [4])), 0, [kernel, 'native']);
      if (kernel !== 'RealDiv') await expectSame(() => op(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32')), 0, [kernel, 'fallback']);
    }
  });

  it('applies activations, their gradients and the loss functions bit for bit as the cpu backend', async () => {
    const x = () => tf.concat([randomTensor([200], 31, 30), tf.tensor([NaN, Infinity, -Infinity, 0, -0, 88, -88, 1e-40])]);
    for (const fn of [tf.relu, tf.sigmoid, tf.tanh, tf.neg, tf.square, tf.exp, (t: tf.Tensor) => tf.log(tf.abs(t)), (t: tf.Tensor) => tf.leakyRelu(t, 0.1), (t: tf.Tensor) => tf.step(t, 0.3)]) {
      await expectSame(() => fn(x()));
    }
    for (const fn of [tf.relu, tf.sigmoid, tf.tanh, (t: tf.Tensor) => tf.leakyRelu(t, 0.2)]) {
      await expectSame(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fn(t), randomTensor([208], 32))))(x()));
    }
  });

  it('sums as the cpu backend, over leading or trailing axes natively and over any others through tfjs', async () => {
    for (const [shape, axis, keepDims] of [
      [[256, 128], 0, false],
      [[256, 128], 1, false],
      [[256, 128], [0], true],
      [[4, 5, 6], [0, 1], false],
      [[4, 5, 6], [1, 2], true],
      [[4, 5, 6], 1, false],
      [[4, 5, 6], [0, 1, 2], false],
      [[300, 7], null, false],
      [[4, 5, 6], -1, false],
    ] as [number[], number | number[] | null, boolean][]) {
      const native = !(shape.length === 3 && axis === 1);
      await expectSame(() => tf.sum(randomTensor(shape, 41), axis ?? undefined, keepDims), 0, ['Sum', native ? 'native' : 'fallback']);
    }
    await expectSame(() => tf.sum(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 0));
  });

  it('trains to the same metrics and weights as the cpu backend: same seed, same data, within 1e-4', async () => {
    for (const activation of ['relu', 'sigmoid', 'tanh'] as const) {
      const architecture: Architecture = {
        inputSize: 64,
        layers: [
          { units: 24, activation },
          { units: 12, activation },
        ],
        classes: ['different', 'same'],
        input: { width: 8, height: 8, channels: 1 },
      };
      const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 32, epochs: 4, seed: 11, validationSplit: 0.2 };
      const data = xorBlobs(400, 3);
      const runOn = async (backend: 'cpu' | typeof CPU_BLAS) => {
        expect((await selectBackend(backend)).name).toBe(backend);
        const epochs: EpochResult[] = [];
        const result = await train(data, spec, architecture, { onEpoch: (r) => void epochs.push(r) });
        return { epochs, weights: result.weights };
      };
      const cpu = await runOn('cpu');
      const blas = await runOn(CPU_BLAS);
      expect(blas.epochs).toHaveLength(spec.epochs);
      blas.epochs.forEach((e, i) => {
        const c = cpu.epochs[i]!;
        expect(Math.abs(e.loss - c.loss)).toBeLessThan(1e-4);
        expect(Math.abs(e.valLoss! - c.valLoss!)).toBeLessThan(1e-4);
        // One sample may flip where its two logits tie to float rounding.
        expect(Math.abs(e.accuracy - c.accuracy)).toBeLessThanOrEqual(1 / 320);
        expect(Math.abs(e.valAccuracy! - c.valAccuracy!)).toBeLessThanOrEqual(1 / 80);
      });
      const cpuWeights = decodeWeights(architecture, cpu.weights).values;
      decodeWeights(architecture, blas.weights).values.forEach((values, i) => {
        values.forEach((v, j) => expect(Math.abs(v - cpuWeights[i]![j]!)).toBeLessThan(1e-4));
      });
    }
  });

  it('recycles freed output arrays, but never one that was read out or that a view still shares', async () => {
    await selectBackend(CPU_BLAS);
    const n = 256 * 128; // above the pool's minimum length
    const rng = createRng(61);
    const aValues = Float32Array.from({ length: n }, () => rng() - 0.5);
    const bValues = Float32Array.from({ length: n }, () => rng() - 0.5);
    const a = tf.tensor2d(aValues, [256, 128]);
    const b = tf.tensor2d(bValues, [256, 128]);
    const mismatches = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).filter((v, i) => v !== y[i]).length;

    const sum = tf.add(a, b);
    const read = sum.dataSync() as Float32Array;
    const copy = Float32Array.from(read);
    const product = tf.mul(a, b);
    const view = tf.slice(product, [0, 0], [1, 128]); // a simple slice: a subarray of product's array, not read here
    tf.dispose([sum, product]);
    // More outputs of the same length: none may land in the arrays above.
    const later = [tf.sub(a, b), tf.div(a, b), tf.neg(a)];
    expect(mismatches(read, copy)).toBe(0);
    expect(mismatches(view.dataSync(), aValues.subarray(0, 128).map((v, i) => Math.fround(v * bValues[i]!)))).toBe(0);

    // A plain intermediate is reused: its array comes back for the next output of its length.
    const before = pool.bytes;
    const temporary = tf.neg(a);
    temporary.dispose();
    expect(pool.bytes).toBe(before + n * 4);
    tf.dispose([...later, view, a, b]);
  });

  it('updates sgd weights in their own array, bit for bit as tfjs\'s sgd on the cpu backend, but never an array that was read out', async () => {
    const n = 300 * 70;
    const step = async (backend: 'cpu' | typeof CPU_BLAS, readFirst: boolean) => {
      await selectBackend(backend);
      const initial = randomTensor([300, 70], 71);
      const w = tf.variable(initial);
      initial.dispose(); // as createNetwork does: the variable alone holds its array
      const g = randomTensor([300, 70], 72);
      const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.037 });
      const before = (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(w.dataId).values;
      const seen = readFirst ? (w.dataSync() as Float32Array) : null;
      const kept = seen && Float32Array.from(seen);
      optimizer.applyGradients({ [w.name]: g });
      const after = (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(w.dataId).values;
      const values = Array.from(w.dataSync() as Float32Array);
      const iterations = optimizer.iterations;
      tf.dispose([w, g]);
      optimizer.dispose();
      return { values, inPlace: after === before, untouched: seen ? Array.from(seen).every((v, i) => v === kept![i]) : true, iterations };
    };
    const reference = await step('cpu', false);
    const inPlace = await step(CPU_BLAS, false);
    expect(inPlace.inPlace).toBe(true);
    expect(inPlace.values).toEqual(reference.values);
    expect(inPlace.values).toHaveLength(n);
    expect(inPlace.iterations).toBe(reference.iterations);
    const readOut = await step(CPU_BLAS, true);
    expect(readOut.inPlace).toBe(false);
    expect(readOut.untouched).toBe(true);
    expect(readOut.values).toEqual(reference.values);
  });

  it('trains a layer with large weight matrices (recycled arrays, products split over threads) to the cpu backend\'s metrics, the same every run', async () => {
    const architecture: Architecture = {
      inputSize: 784,
      layers: [{ units: 64, activation: 'relu' }],
      classes: ['different', 'same'],
      input: { width: 28, height: 28, channels: 1 },
    };
    // Batches of 128 × 784 inputs × 64 units: 12.8 MFLOP products, above the addon's threshold for splitting.
    const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: 0.05 }, batchSize: 128, epochs: 3, seed: 4, validationSplit: 0.25 };
    const data = xorBlobs(512, 9, 784);
    const runOn = (backend: 'cpu' | typeof CPU_BLAS) => epochsOn(backend, data, spec, architecture);
    const cpu = await runOn('cpu');
    const reusedBefore = pool.reused;
    const blas = await runOn(CPU_BLAS);
    expect(pool.reused).toBeGreaterThan(reusedBefore);
    blas.forEach((e, i) => {
      expect(Math.abs(e.loss - cpu[i]!.loss)).toBeLessThan(1e-4);
      expect(Math.abs(e.valLoss! - cpu[i]!.valLoss!)).toBeLessThan(1e-4);
    });
    const metrics = (epochs: EpochResult[]) => epochs.map(({ loss, accuracy, valLoss, valAccuracy, weights }) => ({ loss, accuracy, valLoss, valAccuracy, weights }));
    expect(metrics(await runOn(CPU_BLAS))).toEqual(metrics(blas));
  });

  it('keeps the tensor count flat over training steps', async () => {
    await selectBackend(CPU_BLAS);
    const w = tf.variable(randomTensor([16, 8], 51));
    const b = tf.variable(tf.zeros([8]));
    const x = randomTensor([32, 16], 52);
    const optimizer = tf.train.sgd(0.1);
    const stepOnce = () => tf.tidy(() => optimizer.minimize(() => tf.mean(tf.square(tf.relu(tf.add(tf.matMul(x, w), b)))), true, [w, b])!.dataSync()[0]);
    stepOnce();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) stepOnce();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b, x]);
    optimizer.dispose();
  });
});
