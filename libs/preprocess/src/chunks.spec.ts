import { chunkRanges } from './chunks.js';

describe('chunkRanges', () => {
  it('cuts by image count when images are small', () => {
    const ranges = chunkRanges(95_000, 16, 10_000, 64 * 1024 ** 2);
    expect(ranges).toHaveLength(10);
    expect(ranges.slice(0, 2)).toEqual([{ start: 0, end: 10_000 }, { start: 10_000, end: 20_000 }]);
    expect(ranges.at(-1)).toEqual({ start: 90_000, end: 95_000 });
  });

  it('cuts a small upload into several chunks, so every worker gets a share, but none under 50 images', () => {
    expect(chunkRanges(1000, 1024, 1000, 64 * 1024 ** 2)).toHaveLength(8);
    expect(chunkRanges(120, 1024, 1000, 64 * 1024 ** 2)).toEqual([{ start: 0, end: 50 }, { start: 50, end: 100 }, { start: 100, end: 120 }]);
  });

  it('cuts by bytes when images are big, so a chunk never holds more than the byte budget', () => {
    const sampleBytes = 1024 * 1024;
    const ranges = chunkRanges(1000, sampleBytes, 1000, 64 * 1024 ** 2);
    expect(ranges).toHaveLength(16);
    expect(ranges.every((r) => (r.end - r.start) * sampleBytes <= 64 * 1024 ** 2)).toBe(true);
    expect(ranges.at(-1)).toEqual({ start: 960, end: 1000 });
  });

  it('gives every image a chunk even when one image exceeds the budget, and none for an empty set', () => {
    expect(chunkRanges(3, 100, 10, 50)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 3 }]);
    expect(chunkRanges(0, 100, 10, 1000)).toEqual([]);
  });
});
