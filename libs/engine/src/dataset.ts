import { pool } from './blas/kernels.js';
import { loadedNativeKernels } from './blas/native.js';
import { createRng, mixSeed, shuffleInPlace, Stream } from './rng.js';

/** What the preprocessing step stores: one byte per pixel, samples back to back, and a class index each. */
export interface LabelledPixels {
  pixels: Uint8Array;
  labels: Int32Array;
  /**
   * The activation of each byte value, per channel: table[channel * 256 + byte] (channels interleaved
   * per pixel). Absent means byte / 255. The dataset's preprocessing spec builds it (mean, std, rounding).
   */
  table?: Float32Array;
  /** The dataset's own split per sample (0 train, 1 validation, 2 test); absent means validationSplit decides. */
  split?: Uint8Array;
}

/** Values of LabelledPixels.split. */
export const SPLIT_CODE = { train: 0, validation: 1, test: 2 } as const;

/**
 * Some of a dataset's samples, kept as the dataset's bytes: each batch is converted through the table as it
 * is built, so memory holds one byte per pixel, not four (a float copy of 54,000 28×28 samples was 161 MiB of
 * a worker's +224 MiB; batches were built from it in ~120 ms an epoch of 48,600 instead of ~300, loaded 2 cores).
 */
export interface Samples {
  /** The whole dataset's bytes; `rows` says which samples belong here. */
  pixels: Uint8Array;
  rows: Int32Array;
  labels: Int32Array;
  /** Activation of each byte value, per channel: table[channel * 256 + byte]. */
  table: Float32Array;
  count: number;
  inputSize: number;
}

export interface Batch {
  /** [size, inputSize] row-major */
  x: Float32Array;
  /** [size, numClasses] one-hot */
  y: Float32Array;
  /** [size] class indices */
  labels: Int32Array;
  size: number;
}

export interface Split {
  train: Samples;
  validation: Samples;
}

/** Holds out `validationSplit` of every class (seeded), so both sides see the classes in the same proportions. */
export function splitDataset(data: LabelledPixels, inputSize: number, numClasses: number, validationSplit: number, seed: number): Split {
  const count = data.labels.length;
  if (data.pixels.length !== count * inputSize) {
    throw new Error(`expected ${count} × ${inputSize} = ${count * inputSize} pixels, got ${data.pixels.length}`);
  }
  if (data.split) return splitAsStored(data, inputSize, numClasses);
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new Error(`validationSplit must be in [0, 1), got ${validationSplit}`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  data.labels.forEach((label, i) => {
    if (!(label >= 0 && label < numClasses)) throw new Error(`label ${label} of sample ${i} is outside 0..${numClasses - 1}`);
    byClass[label]!.push(i);
  });

  const rng = createRng(mixSeed(seed, Stream.split));
  const train: number[] = [];
  const validation: number[] = [];
  for (const members of byClass) {
    const shuffled = shuffleInPlace(Int32Array.from(members), rng);
    // Every class keeps at least one training sample.
    const held = Math.min(Math.round(members.length * validationSplit), Math.max(members.length - 1, 0));
    // Loops, not push(...spread): a big class would overflow the argument limit.
    shuffled.forEach((sample, k) => (k < held ? validation : train).push(sample));
  }
  if (train.length === 0) throw new Error('the dataset has no samples to train on');
  // Sorted, so the epoch order depends on (seed, epoch) alone, not on how the split was drawn.
  return { train: toSamples(data, inputSize, train.sort((a, b) => a - b)), validation: toSamples(data, inputSize, validation.sort((a, b) => a - b)) };
}

/** Trains on the dataset's own train split and validates on its validation split; test samples stay unseen. */
function splitAsStored(data: LabelledPixels, inputSize: number, numClasses: number): Split {
  const train: number[] = [];
  const validation: number[] = [];
  data.split!.forEach((code, i) => {
    if (!(data.labels[i]! >= 0 && data.labels[i]! < numClasses)) throw new Error(`label ${data.labels[i]} of sample ${i} is outside 0..${numClasses - 1}`);
    if (code === SPLIT_CODE.train) train.push(i);
    else if (code === SPLIT_CODE.validation) validation.push(i);
  });
  if (train.length === 0) throw new Error('the dataset has no samples in its train split');
  return { train: toSamples(data, inputSize, train), validation: toSamples(data, inputSize, validation) };
}

/** Every sample, in order, for inference or evaluation (labels absent: all 0, unused). */
export function allSamples(data: Pick<LabelledPixels, 'pixels' | 'table'> & { labels?: Int32Array }, inputSize: number): Samples {
  const count = data.pixels.length / inputSize;
  if (!Number.isInteger(count)) throw new Error(`${data.pixels.length} pixels is not a whole number of ${inputSize}-pixel samples`);
  if (data.labels && data.labels.length !== count) throw new Error(`expected ${count} labels, got ${data.labels.length}`);
  return toSamples({ ...data, labels: data.labels ?? new Int32Array(count) }, inputSize, Array.from({ length: count }, (_, i) => i));
}

function toSamples(data: LabelledPixels, inputSize: number, indices: number[]): Samples {
  const rows = Int32Array.from(indices);
  const labels = Int32Array.from(indices, (sample) => data.labels[sample]!);
  return { pixels: data.pixels, rows, labels, table: data.table ?? DEFAULT_TABLE, count: rows.length, inputSize };
}

/** One sample's bytes into activations through the table: the spec's scaling, mean/std and rounding in one lookup. */
function convertRow({ pixels, table, inputSize }: Samples, sample: number, into: Float32Array, at: number): void {
  const from = sample * inputSize;
  const channels = table.length / 256;
  if (channels === 1) for (let j = 0; j < inputSize; j++) into[at + j] = table[pixels[from + j]!]!;
  else for (let j = 0; j < inputSize; j++) into[at + j] = table[(j % channels) * 256 + pixels[from + j]!]!;
}

const DEFAULT_TABLE = Float32Array.from({ length: 256 }, (_, byte) => byte / 255);

/** The training order of one epoch; from (seed, epoch) alone, so a run resumed at epoch k replays its batches. */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  return shuffleInPlace(order, createRng(mixSeed(seed, Stream.epoch, epoch)));
}

/**
 * Copies rows into batch arrays, so no gather runs on the whole set. A tensor may keep its array, so each
 * batch has its own; on cpu-blas they come from the recycling pool and return to it when the batch's
 * tensor is freed, so an epoch allocates no new batch memory.
 */
export function* batches(samples: Samples, order: Int32Array | null, batchSize: number, numClasses: number): Generator<Batch> {
  const { inputSize } = samples;
  // Where the cpu-blas backend loaded the addon, its loop converts the bytes (a 48,600-sample epoch's
  // batches took ~300 ms in JS on a loaded 2-core machine); the same lookup, so the same floats.
  const native = loadedNativeKernels();
  const picked = new Int32Array(Math.min(batchSize, samples.count));
  for (let start = 0; start < samples.count; start += batchSize) {
    const size = Math.min(batchSize, samples.count - start);
    const x = pool.take(size * inputSize);
    const y = new Float32Array(size * numClasses);
    const labels = new Int32Array(size);
    for (let r = 0; r < size; r++) {
      const k = order ? order[start + r]! : start + r;
      picked[r] = samples.rows[k]!;
      labels[r] = samples.labels[k]!;
      y[r * numClasses + labels[r]!] = 1;
    }
    if (native) native.lookupRows(samples.pixels, picked.subarray(0, size), inputSize, samples.table, x);
    else for (let r = 0; r < size; r++) convertRow(samples, picked[r]!, x, r * inputSize);
    yield { x, y, labels, size };
  }
}
