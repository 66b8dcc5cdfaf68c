/** Images [start, end) of a dataset, preprocessed and stored by one chunk job. */
export interface ChunkRange {
  start: number;
  end: number;
}

/**
 * Cuts `count` images into chunks of at most `maxImages` images and at most `maxBytes` of stored pixels
 * (`sampleBytes` each), so a chunk's memory is bounded by bytes whatever the image size; at least one image each.
 */
export function chunkRanges(count: number, sampleBytes: number, maxImages: number, maxBytes: number): ChunkRange[] {
  const size = Math.max(1, Math.min(maxImages, Math.floor(maxBytes / sampleBytes)));
  return Array.from({ length: Math.ceil(count / size) }, (_, i) => ({ start: i * size, end: Math.min(count, (i + 1) * size) }));
}
