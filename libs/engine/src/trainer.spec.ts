import * as tf from '@tensorflow/tfjs';
import type { Architecture, OptimizerName, TrainingSpec } from '#libs/contracts';
import { selectBackend } from './backend.js';
import { DivergedError } from './diverged-error.js';
import { predict } from './predict.js';
import { noise, xorBlobs } from './testing/toy-data.js';
import { train, type EpochResult, type TrainOptions } from './trainer.js';
import type { LabelledPixels } from './dataset.js';
import { stripOptimizerState } from './weights.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const xorArchitecture: Architecture = {
  inputSize: 64,
  layers: [{ units: 16, activation: 'relu' }],
  classes: ['different', 'same'],
  input: { width: 8, height: 8, channels: 1 },
};

function specFor(architecture: Architecture, overrides: Partial<TrainingSpec>): TrainingSpec {
  return {
    layers: architecture.layers,
    optimizer: { name: 'sgd', learningRate: 0.1 },
    batchSize: 32,
    epochs: 5,
    seed: 11,
    validationSplit: 0.2,
    ...overrides,
  };
}

async function run(data: LabelledPixels, spec: TrainingSpec, architecture: Architecture, opts: Partial<TrainOptions> = {}) {
  const epochs: EpochResult[] = [];
  const result = await train(data, spec, architecture, { ...opts, onEpoch: (r) => void epochs.push(r) });
  return { ...result, epochs };
}

/** What must replay exactly: everything but the timings. */
const metrics = (epochs: EpochResult[]) => epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy }) => ({ epoch, loss, accuracy, valLoss, valAccuracy }));

describe('train', () => {
  it('learns an XOR of two blobs in 64 dimensions that no straight line separates', async () => {
    const data = xorBlobs(1000, 1);
    const spec = specFor(xorArchitecture, { optimizer: { name: 'adam', learningRate: 0.01 }, epochs: 10 });
    const { epochs, weights } = await run(data, spec, xorArchitecture);
    const last = epochs.at(-1)!;
    expect(last.valAccuracy).toBeGreaterThan(0.95);
    expect(last.loss).toBeLessThan(epochs[0]!.loss);

    const probs = predict(xorArchitecture, weights, data.pixels);
    const right = probs.filter((p, i) => (p[1]! > p[0]! ? 1 : 0) === data.labels[i]).length;
    expect(right / data.labels.length).toBeGreaterThan(0.95);
    expect(probs[0]![0]! + probs[0]![1]!).toBeCloseTo(1, 5);
  });

  it('does not grow the tensor count across 20 epochs, and frees everything at the end', async () => {
    const architecture: Architecture = { ...xorArchitecture, inputSize: 20, layers: [{ units: 8, activation: 'sigmoid' }, { units: 8, activation: 'tanh' }], classes: ['a', 'b', 'c'] };
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train(noise(200, 20, 3, 4), specFor(architecture, { optimizer: { name: 'adam', learningRate: 0.01 }, batchSize: 16, epochs: 20 }), architecture, {
      onEpoch: () => void counts.push(tf.memory().numTensors),
    });
    expect(counts).toHaveLength(20);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives identical metrics and weights for the same seed', async () => {
    const data = xorBlobs(300, 2);
    const spec = specFor(xorArchitecture, { epochs: 4 });
    const first = await run(data, spec, xorArchitecture);
    const second = await run(data, spec, xorArchitecture);
    expect(metrics(second.epochs)).toEqual(metrics(first.epochs));
    expect(second.weights).toEqual(first.weights);
    const otherSeed = await run(data, { ...spec, seed: 12 }, xorArchitecture);
    expect(otherSeed.epochs[0]!.loss).not.toBe(first.epochs[0]!.loss);
  });

  it.each<[OptimizerName, number]>([
    ['sgd', 0],
    ['momentum', 0],
    // Adam's bias-correction powers come back as beta^t, not as t float32 products: last-bit differences.
    ['adam', 1e-6],
    ['rmsprop', 1e-6],
  ])('resumed with %s from epoch 3 ends where an uninterrupted run ends', async (name, tolerance) => {
    const data = xorBlobs(300, 3);
    const spec = specFor(xorArchitecture, { optimizer: { name, learningRate: name === 'adam' || name === 'rmsprop' ? 0.003 : 0.05 }, epochs: 6 });
    const whole = await run(data, spec, xorArchitecture);
    const resumed = await run(data, spec, xorArchitecture, { startEpoch: 3, initialWeights: whole.epochs[2]!.weights! });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([4, 5, 6]);
    const expected = metrics(whole.epochs.slice(3));
    if (tolerance === 0) {
      expect(metrics(resumed.epochs)).toEqual(expected);
      expect(resumed.weights).toEqual(whole.weights);
    } else {
      metrics(resumed.epochs).forEach((m, i) => {
        expect(Math.abs(m.loss - expected[i]!.loss)).toBeLessThan(tolerance);
        expect(Math.abs(m.valLoss! - expected[i]!.valLoss!)).toBeLessThan(tolerance);
      });
    }
  });

  it('checkpoints only the epochs checkpointDue names and the last, resumes exactly from one, and times each epoch in parts that add up', async () => {
    const data = xorBlobs(300, 4);
    const spec = specFor(xorArchitecture, { epochs: 5 });
    const sparse = await run(data, spec, xorArchitecture, { checkpointDue: (epoch) => epoch === 2 });
    expect(sparse.epochs.map((e) => e.weights !== null)).toEqual([false, true, false, false, true]);
    const whole = await run(data, spec, xorArchitecture);
    expect(sparse.weights).toEqual(whole.weights);
    const resumed = await run(data, spec, xorArchitecture, { startEpoch: 2, initialWeights: sparse.epochs[1]!.weights! });
    expect(metrics(resumed.epochs)).toEqual(metrics(whole.epochs.slice(2)));
    expect(resumed.weights).toEqual(whole.weights);
    for (const { timing, seconds } of sparse.epochs) {
      const parts = [timing.batchesMs, timing.validationMs, timing.checkpointMs, timing.storageMs, timing.otherMs];
      expect(parts.every((ms) => ms >= 0)).toBe(true);
      expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(seconds * 1000, 6);
    }
  });

  it('counts the wait on a slow onEpoch as the next epoch\'s storage time', async () => {
    const data = xorBlobs(100, 4);
    const epochs: EpochResult[] = [];
    await train(data, specFor(xorArchitecture, { epochs: 2 }), xorArchitecture, {
      onEpoch: async (r) => {
        epochs.push(r);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    expect(epochs[0]!.timing.storageMs).toBe(0);
    expect(epochs[1]!.timing.storageMs).toBeGreaterThanOrEqual(45);
    expect(epochs[1]!.seconds * 1000).toBeGreaterThanOrEqual(45);
  });

  it('stops between batches when asked and returns the last finished epoch as its checkpoint', async () => {
    const data = xorBlobs(300, 4);
    const spec = specFor(xorArchitecture, { epochs: 3 });
    let batchesSeen = 0;
    const stopped = await run(data, spec, xorArchitecture, {
      // 240 training samples are 8 batches of 32: stop 3 batches into epoch 2.
      shouldStop: () => ++batchesSeen > 8 + 3,
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.epochsDone).toBe(1);
    expect(stopped.weights).toEqual(stopped.epochs[0]!.weights);
    const resumed = await run(data, spec, xorArchitecture, { startEpoch: 1, initialWeights: stopped.weights });
    const whole = await run(data, spec, xorArchitecture);
    expect(metrics(resumed.epochs)).toEqual(metrics(whole.epochs.slice(1)));
  });

  it('throws DivergedError naming the epoch and batch when the loss stops being a number', async () => {
    // Linear, because ReLUs that a huge step kills give a constant, finite loss instead.
    const architecture: Architecture = { ...xorArchitecture, layers: [{ units: 16, activation: 'linear' }] };
    const spec = specFor(architecture, { optimizer: { name: 'sgd', learningRate: 1e9 }, epochs: 3 });
    const before = tf.memory().numTensors;
    const error = await run(xorBlobs(300, 5), spec, architecture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergedError);
    const { epoch, batch, message } = error as DivergedError;
    expect(epoch).toBe(1);
    expect(batch).toBeGreaterThan(1);
    expect(message).toBe(`loss diverged at epoch 1, batch ${batch}`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early once validation loss has not improved for `patience` epochs, and resumes with that count intact', async () => {
    // Noise cannot be learned: validation loss soon stops improving while training loss keeps falling.
    const data = noise(200, 20, 2, 4);
    const architecture: Architecture = { ...xorArchitecture, inputSize: 20, layers: [{ units: 32, activation: 'relu' }] };
    const spec = specFor(architecture, { optimizer: { name: 'adam', learningRate: 0.01 }, epochs: 200, earlyStopping: { patience: 3 } });
    const whole = await run(data, spec, architecture);
    expect(whole.earlyStopped).toBeDefined();
    const { epoch, bestEpoch } = whole.earlyStopped!;
    expect(epoch - bestEpoch).toBe(3);
    expect(whole.epochs).toHaveLength(epoch);
    const valLosses = whole.epochs.map((e) => e.valLoss!);
    expect(Math.min(...valLosses.slice(bestEpoch))).toBeGreaterThanOrEqual(valLosses[bestEpoch - 1]!);

    const k = epoch - 2;
    const resumed = await run(data, spec, architecture, {
      startEpoch: k,
      initialWeights: whole.epochs[k - 1]!.weights!,
      previousValLosses: valLosses.slice(0, k),
    });
    expect(resumed.earlyStopped).toEqual(whole.earlyStopped);
  });

  it('pulls weights toward zero with weight decay, and reports the loss without the penalty', async () => {
    const data = xorBlobs(300, 5);
    const spec = specFor(xorArchitecture, { epochs: 5 });
    const plain = await run(data, spec, xorArchitecture);
    const decayed = await run(data, { ...spec, optimizer: { ...spec.optimizer, weightDecay: 0.05 } }, xorArchitecture);
    const norm = (w: Uint8Array) => new Float32Array(w.slice().buffer).reduce((sum, v) => sum + v * v, 0);
    expect(norm(decayed.weights)).toBeLessThan(0.9 * norm(plain.weights));
    expect(decayed.epochs[0]!.loss).toBeLessThan(1); // a penalty of ~(0.05/2)·ΣW² would show up here
  });

  it('trains without bias terms and with a mean-squared-error loss', async () => {
    const data = xorBlobs(600, 6);
    const architecture: Architecture = { ...xorArchitecture, layers: [{ units: 16, activation: 'leakyRelu', bias: false }], outputBias: false };
    const spec = specFor(architecture, { optimizer: { name: 'adam', learningRate: 0.01 }, epochs: 15, loss: 'mse' });
    const { epochs, weights } = await run(data, spec, architecture);
    expect(stripOptimizerState(architecture, weights).byteLength).toBe((64 * 16 + 16 * 2) * 4);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThan(0.9);
    expect(epochs.at(-1)!.loss).toBeLessThan(epochs[0]!.loss);
  });

  it('refuses a resume without weights and a spec whose layers differ from the architecture', async () => {
    const data = xorBlobs(50, 6);
    const spec = specFor(xorArchitecture, {});
    await expect(run(data, spec, xorArchitecture, { startEpoch: 2 })).rejects.toThrow('resuming at startEpoch > 0 needs initialWeights');
    await expect(run(data, { ...spec, layers: [{ units: 3, activation: 'relu' }] }, xorArchitecture)).rejects.toThrow('spec.layers and architecture.layers differ');
  });
});
