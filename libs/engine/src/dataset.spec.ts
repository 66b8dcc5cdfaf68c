import { batches, epochOrder, splitDataset, SPLIT_CODE, type LabelledPixels, type Samples } from './dataset.js';

function labelled(counts: number[], inputSize: number) {
  const labels = Int32Array.from(counts.flatMap((n, c) => Array<number>(n).fill(c)));
  // Each sample's pixels hold its index, so tests can tell which sample went where.
  const pixels = Uint8Array.from({ length: labels.length * inputSize }, (_, i) => Math.floor(i / inputSize) % 256);
  return { pixels, labels };
}

/** Every sample's activations, in order, as the batches hand them to the network. */
const activations = (samples: Samples) => [...batches(samples, null, samples.count, 2)].flatMap((b) => Array.from(b.x));

describe('splitDataset', () => {
  it('holds out the same share of every class, seeded', () => {
    const data = labelled([50, 30, 20], 2);
    const { train, validation } = splitDataset(data, 2, 3, 0.2, 9);
    const perClass = (labels: Int32Array) => [0, 1, 2].map((c) => labels.filter((l) => l === c).length);
    expect(perClass(validation.labels)).toEqual([10, 6, 4]);
    expect(perClass(train.labels)).toEqual([40, 24, 16]);
    expect(splitDataset(data, 2, 3, 0.2, 9).validation.rows).toEqual(validation.rows);
    expect(splitDataset(data, 2, 3, 0.2, 10).validation.rows).not.toEqual(validation.rows);
  });

  it('turns bytes into activations in [0, 1] and keeps everything for training when the split is 0', () => {
    const { train, validation } = splitDataset({ pixels: Uint8Array.from([0, 255, 51, 102]), labels: Int32Array.from([0, 1]) }, 2, 2, 0, 1);
    expect(activations(train)).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(validation.count).toBe(0);
  });

  it('keeps one training sample of a class too small to split', () => {
    const { train, validation } = splitDataset(labelled([1, 10], 1), 1, 2, 0.9, 1);
    expect(train.labels.filter((l) => l === 0).length).toBe(1);
    expect(validation.labels.filter((l) => l === 1).length).toBe(9);
  });

  it('rejects pixels that do not match the labels and labels outside the classes', () => {
    expect(() => splitDataset({ pixels: new Uint8Array(5), labels: new Int32Array(2) }, 2, 2, 0, 1)).toThrow('expected 2 × 2 = 4 pixels, got 5');
    expect(() => splitDataset({ pixels: new Uint8Array(2), labels: Int32Array.from([0, 2]) }, 1, 2, 0, 1)).toThrow('label 2 of sample 1 is outside 0..1');
  });
});

describe('epochOrder', () => {
  it('is a permutation that depends only on seed and epoch', () => {
    const order = epochOrder(100, 5, 3);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(epochOrder(100, 5, 3)).toEqual(order);
    expect(epochOrder(100, 5, 4)).not.toEqual(order);
    expect(epochOrder(100, 6, 3)).not.toEqual(order);
  });
});

describe('batches', () => {
  it('copies rows in the given order, one-hot labels, with a short last batch', () => {
    const { train } = splitDataset(labelled([3, 2], 2), 2, 2, 0, 1);
    const order = Int32Array.from([4, 0, 3, 1, 2]);
    const all = [...batches(train, order, 2, 2)];
    expect(all.map((b) => b.size)).toEqual([2, 2, 1]);
    expect(Array.from(all[0]!.x)).toEqual([4, 4, 0, 0].map((v) => Math.fround(v / 255)));
    expect(Array.from(all[0]!.y)).toEqual([0, 1, 1, 0]);
    expect(Array.from(all[2]!.y)).toEqual([1, 0]);
  });
});

describe('a dataset with its own split and activation table', () => {
  const data: LabelledPixels = {
    pixels: Uint8Array.from([0, 255, 10, 20, 30, 40, 50, 60]),
    labels: Int32Array.from([0, 1, 0, 1]),
    split: Uint8Array.from([SPLIT_CODE.train, SPLIT_CODE.validation, SPLIT_CODE.test, SPLIT_CODE.train]),
    table: Float32Array.from({ length: 256 }, (_, byte) => (byte / 255 - 0.5) / 0.25),
  };

  it('trains on the train split, validates on the validation split and never sees the test split', () => {
    const { train, validation } = splitDataset(data, 2, 2, 0.5, 1);
    expect(Array.from(train.labels)).toEqual([0, 1]);
    expect(validation.count).toBe(1);
    expect(activations(train)).toEqual([-2, 2, 50 / 255 / 0.25 - 2, 60 / 255 / 0.25 - 2].map(Math.fround));
  });
});
