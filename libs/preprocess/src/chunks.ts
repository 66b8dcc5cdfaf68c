/** Images [start, end) of a dataset, preprocessed and stored by one chunk job. */
export interface ChunkRange {
  start: number;
  end: number;
}

/** An upload is cut into at least this many chunks when it has the images for it, so several workers share it. */
export const MIN_CHUNKS = 8;
/** ...but no chunk is made smaller than this for that: each chunk has a fixed cost (a job, a transaction). */
export const MIN_CHUNK_IMAGES = 50;

/**
 * Cuts `count` images into chunks of at most `maxImages` images and at most `maxBytes` of stored pixels
 * (`sampleBytes` each), so a chunk's memory is bounded by bytes whatever the image size; at least one image
 * each. A small upload is still cut into up to MIN_CHUNKS chunks, so every worker (and core) gets a share.
 */
export function chunkRanges(count: number, sampleBytes: number, maxImages: number, maxBytes: number): ChunkRange[] {
  const spread = Math.max(MIN_CHUNK_IMAGES, Math.ceil(count / MIN_CHUNKS));
  const size = Math.max(1, Math.min(maxImages, spread, Math.floor(maxBytes / sampleBytes)));
  return Array.from({ length: Math.ceil(count / size) }, (_, i) => ({ start: i * size, end: Math.min(count, (i + 1) * size) }));
}
