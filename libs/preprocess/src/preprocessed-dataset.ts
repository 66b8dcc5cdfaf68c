import type { Archive } from './archive.js';
import { ArchiveError, ImageError } from './errors.js';
import { toPixels, type ImageSize } from './image.js';

export interface Sample {
  /** 0..n-1 in path order. */
  index: number;
  /** Index into `classes`. */
  label: number;
  /** The entry's path inside the uploaded zip. */
  file: string;
  /** width×height gray bytes, row-major. */
  pixels: Uint8Array;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface PreprocessedDataset {
  /** The archive's class folders, all of them, so label indices match the folders the user uploaded. */
  classes: string[];
  samples: Sample[];
  skipped: SkippedFile[];
  /** Classes whose every image was skipped; kept in `classes`, reported here for the caller to judge. */
  emptyClasses: string[];
}

export interface PreprocessOptions {
  /** Images decoded at once; sharp runs on libuv's pool (UV_THREADPOOL_SIZE, default 4), so more rarely helps. */
  concurrency?: number;
  /** Called after each image, e.g. to forward to BullMQ's job.updateProgress. */
  onProgress?: (done: number, total: number) => void;
}

type Decoded = { ok: true; pixels: Uint8Array } | { ok: false; reason: string };

/**
 * Turns every image of an archive into pixels. Undecodable or unreadable images are skipped with their
 * reason; any other failure rejects. A dataset may come back with zero samples: the caller decides.
 */
export async function preprocessArchive(
  archive: Pick<Archive, 'classes' | 'images'>,
  size: ImageSize,
  { concurrency = 4, onProgress }: PreprocessOptions = {},
): Promise<PreprocessedDataset> {
  const { images } = archive;
  let done = 0;
  const results = await mapBounded(images, concurrency, async (image): Promise<Decoded> => {
    try {
      return { ok: true, pixels: await toPixels(await image.read(), size) };
    } catch (err) {
      if (err instanceof ImageError || err instanceof ArchiveError) return { ok: false, reason: err.message };
      throw err;
    } finally {
      onProgress?.(++done, images.length);
    }
  });

  const labelOf = new Map(archive.classes.map((name, i) => [name, i]));
  const samples: Sample[] = [];
  const skipped: SkippedFile[] = [];
  const filled = new Set<string>();
  results.forEach((result, i) => {
    const { path: file, label } = images[i];
    if (!result.ok) {
      skipped.push({ file, reason: result.reason });
      return;
    }
    filled.add(label);
    samples.push({ index: samples.length, label: labelOf.get(label)!, file, pixels: result.pixels });
  });
  const emptyClasses = archive.classes.filter((name) => !filled.has(name));
  return { classes: archive.classes, samples, skipped, emptyClasses };
}

/** Maps with at most `limit` calls in flight, keeping results in input order; stops starting work after a failure. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
