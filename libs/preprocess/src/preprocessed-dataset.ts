import { createHash } from 'node:crypto';
import type { Archive, ArchiveSkip } from './archive.js';
import { ArchiveError, ImageError } from './errors.js';
import { toPixels } from './image.js';
import { parsePreprocessSpec, SPLITS, type PreprocessSpec, type PreprocessSpecInput, type Split } from './preprocess-spec.js';
import { assignSplits } from './split.js';

export interface Sample {
  /** 0..n-1 in archive order (path order for a zip). */
  index: number;
  /** Index into `classes`. */
  label: number;
  /** The entry's path inside the uploaded zip, or the uploaded file's name. */
  file: string;
  /** Hex SHA-256 of the file's bytes as uploaded: finds duplicates here and identical content elsewhere. */
  sha256: string;
  split: Split;
  /** height×width×channels bytes, row-major, channels interleaved; `toActivations` turns them into inputs. */
  pixels: Uint8Array;
}

export interface SkippedFile {
  file: string;
  /** CORRUPT / TOO_LARGE: the image cannot be decoded; CORRUPT_ENTRY: the zip entry cannot be unpacked; see ArchiveSkip for the rest. */
  code: 'CORRUPT' | 'TOO_LARGE' | 'CORRUPT_ENTRY' | ArchiveSkip['code'];
  reason: string;
}

/** Files whose bytes are identical; `files` in sample order. */
export interface DuplicateGroup {
  sha256: string;
  files: string[];
  /** Sample indices, same order as `files`. */
  indices: number[];
}

export type SplitCounts = Record<Split, number>;

export interface DatasetCounts {
  total: number;
  perSplit: SplitCounts;
  /** Keyed by class name, every class present (zero for empty ones). */
  perClass: Record<string, SplitCounts & { total: number }>;
}

export interface PreprocessedDataset {
  /** The spec with every default filled in: store it, and preprocess prediction inputs with it. */
  spec: PreprocessSpec;
  /** The archive's classes, all of them, so label indices match what the user uploaded. */
  classes: string[];
  samples: Sample[];
  /** Files left out, in archive order (manifest omissions first), each with why. */
  skipped: SkippedFile[];
  /** Classes whose every image was skipped; kept in `classes`, reported here for the caller to judge. */
  emptyClasses: string[];
  /** Groups of two or more samples with identical file bytes. */
  duplicates: DuplicateGroup[];
  counts: DatasetCounts;
}

export interface PreprocessOptions {
  /** Images decoded at once; sharp runs on libuv's pool (UV_THREADPOOL_SIZE, default 4), so more rarely helps. */
  concurrency?: number;
  /** Called after each image, e.g. to forward to BullMQ's job.updateProgress. */
  onProgress?: (done: number, total: number) => void;
  /** Reject with ArchiveError BAD_IMAGE on the first image that cannot be read, instead of skipping it. */
  failOnBadImage?: boolean;
  /** Adds each image's read, hash and decode seconds here, to show where a chunk's time went. */
  work?: { readSeconds: number; hashSeconds: number; decodeSeconds: number };
}

type Decoded = { ok: true; pixels: Uint8Array; sha256: string } | { ok: false; code: SkippedFile['code']; reason: string };

/**
 * Turns every image of an archive into pixels by `spec` (`{ width, height }` alone is a valid spec:
 * the rest takes its defaults) and assigns each sample its split. Undecodable or unreadable images are
 * skipped with their reason unless `failOnBadImage`; any other failure rejects. A dataset may come back
 * with zero samples: the caller decides. Throws ZodError for an invalid spec.
 */
export async function preprocessArchive(
  archive: Pick<Archive, 'classes' | 'images'> & Partial<Pick<Archive, 'skipped'>>,
  spec: PreprocessSpecInput,
  { concurrency = 4, onProgress, failOnBadImage = false, work }: PreprocessOptions = {},
): Promise<PreprocessedDataset> {
  const resolved = parsePreprocessSpec(spec);
  const { images } = archive;
  let done = 0;
  const results = await mapBounded(images, concurrency, async (image): Promise<Decoded> => {
    try {
      const started = performance.now();
      const bytes = await image.read();
      const read = performance.now();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const hashed = performance.now();
      const pixels = await toPixels(bytes, resolved);
      if (work) {
        work.readSeconds += (read - started) / 1000;
        work.hashSeconds += (hashed - read) / 1000;
        work.decodeSeconds += (performance.now() - hashed) / 1000;
      }
      return { ok: true, pixels, sha256 };
    } catch (err) {
      if (!(err instanceof ImageError || err instanceof ArchiveError)) throw err;
      if (failOnBadImage) throw new ArchiveError('BAD_IMAGE', `"${image.path}": ${err.message}`);
      return { ok: false, code: err instanceof ImageError ? err.code : 'CORRUPT_ENTRY', reason: err.message };
    } finally {
      onProgress?.(++done, images.length);
    }
  });

  const labelOf = new Map(archive.classes.map((name, i) => [name, i]));
  const kept: Omit<Sample, 'split'>[] = [];
  const skipped: SkippedFile[] = (archive.skipped ?? []).map(({ file, code, reason }) => ({ file, code, reason }));
  results.forEach((result, i) => {
    const { path: file, label } = images[i];
    if (!result.ok) skipped.push({ file, code: result.code, reason: result.reason });
    else kept.push({ index: kept.length, label: labelOf.get(label)!, file, sha256: result.sha256, pixels: result.pixels });
  });
  const splits = assignSplits(kept.map((s) => s.label), resolved.split, resolved.seed);
  const samples: Sample[] = kept.map((sample, i) => ({ ...sample, split: splits[i] }));
  const counts = countsOf(archive.classes, samples);
  const emptyClasses = archive.classes.filter((name) => counts.perClass[name].total === 0);
  return { spec: resolved, classes: archive.classes, samples, skipped, emptyClasses, duplicates: duplicatesOf(samples), counts };
}

function duplicatesOf(samples: readonly Sample[]): DuplicateGroup[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const group = groups.get(sample.sha256);
    if (group) group.push(sample);
    else groups.set(sample.sha256, [sample]);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .map((group) => ({ sha256: group[0].sha256, files: group.map((s) => s.file), indices: group.map((s) => s.index) }));
}

function countsOf(classes: readonly string[], samples: readonly Sample[]): DatasetCounts {
  const zero = (): SplitCounts => Object.fromEntries(SPLITS.map((s) => [s, 0])) as SplitCounts;
  const perClass = Object.fromEntries(classes.map((name) => [name, { ...zero(), total: 0 }]));
  const perSplit = zero();
  for (const { label, split } of samples) {
    const counts = perClass[classes[label]];
    counts[split]++;
    counts.total++;
    perSplit[split]++;
  }
  return { total: samples.length, perSplit, perClass };
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
