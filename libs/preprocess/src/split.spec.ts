import type { Split } from './preprocess-spec.js';
import { assignSplits } from './split.js';

const EIGHTY_TEN_TEN = { train: 0.8, validation: 0.1, test: 0.1 };

function countBy(labels: number[], splits: Split[]): Record<string, Record<Split, number>> {
  const counts: Record<string, Record<Split, number>> = {};
  labels.forEach((label, i) => {
    counts[label] ??= { train: 0, validation: 0, test: 0 };
    counts[label][splits[i]]++;
  });
  return counts;
}

describe('assignSplits', () => {
  it('divides every class in the given fractions', () => {
    const labels = [...Array<number>(50).fill(0), ...Array<number>(30).fill(1), ...Array<number>(20).fill(2)];
    const splits = assignSplits(labels, EIGHTY_TEN_TEN, 1);
    expect(countBy(labels, splits)).toEqual({
      0: { train: 40, validation: 5, test: 5 },
      1: { train: 24, validation: 3, test: 3 },
      2: { train: 16, validation: 2, test: 2 },
    });
  });

  it('gives the same answer for the same seed, and another for another seed', () => {
    const labels = Array.from({ length: 200 }, (_, i) => i % 4);
    const a = assignSplits(labels, EIGHTY_TEN_TEN, 7);
    expect(assignSplits(labels, EIGHTY_TEN_TEN, 7)).toEqual(a);
    expect(assignSplits(labels, EIGHTY_TEN_TEN, 8)).not.toEqual(a);
    expect(countBy(labels, assignSplits(labels, EIGHTY_TEN_TEN, 8))).toEqual(countBy(labels, a));
  });

  it('shuffles inside a class rather than cutting it in sample order', () => {
    const labels = Array<number>(100).fill(0);
    const splits = assignSplits(labels, EIGHTY_TEN_TEN, 3);
    expect(splits.slice(80).filter((s) => s === 'train').length).toBeGreaterThan(0);
  });

  it('keeps each class within one sample of its quota and the totals close when classes are small', () => {
    // 30 classes of 5: each class quota is 4 / 0.5 / 0.5, so a class gets 4/1/0 or 4/0/1;
    // leftovers go where the dataset is furthest behind, so validation and test end up even.
    const labels = Array.from({ length: 150 }, (_, i) => Math.floor(i / 5));
    const splits = assignSplits(labels, EIGHTY_TEN_TEN, 0);
    for (const counts of Object.values(countBy(labels, splits))) {
      expect(counts.train).toBe(4);
      expect(counts.validation + counts.test).toBe(1);
    }
    const total = (split: Split) => splits.filter((s) => s === split).length;
    expect([total('train'), total('validation'), total('test')]).toEqual([120, 15, 15]);
  });

  it('puts nothing in a split whose fraction is 0, even a one-sample class', () => {
    const labels = [0, 1, 1, 2, 2, 2];
    const splits = assignSplits(labels, { train: 0.5, validation: 0.5, test: 0 }, 0);
    expect(splits).not.toContain('test');
    expect(assignSplits([0, 0, 0], { train: 1, validation: 0, test: 0 }, 5)).toEqual(['train', 'train', 'train']);
  });

  it('does not lose a sample to float rounding of the quotas', () => {
    const labels = Array<number>(100).fill(0);
    const splits = assignSplits(labels, { train: 0.42, validation: 0.29, test: 0.29 }, 0);
    expect(countBy(labels, splits)[0]).toEqual({ train: 42, validation: 29, test: 29 });
  });

  it('handles no samples, and refuses fractions that do not add up to 1', () => {
    expect(assignSplits([], EIGHTY_TEN_TEN, 0)).toEqual([]);
    expect(() => assignSplits([0], { train: 0.5, validation: 0.1, test: 0.1 }, 0)).toThrow(RangeError);
  });
});
