import { chunkRanges } from './chunks.js';

describe('chunkRanges', () => {
  it('cuts by image count when images are small', () => {
    expect(chunkRanges(2500, 1024, 1000, 64 * 1024 ** 2)).toEqual([
      { start: 0, end: 1000 },
      { start: 1000, end: 2000 },
      { start: 2000, end: 2500 },
    ]);
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
