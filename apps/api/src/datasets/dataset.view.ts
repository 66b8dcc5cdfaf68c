import { type DatasetTiming, type DatasetView, iso } from '#libs/contracts';
import type { Dataset } from '#libs/database';
import type { WithCreatedBy } from '../auth/index.js';

/** Stored samples per (class index, split). */
export interface SampleCount {
  label: number;
  split: string;
  count: number;
}

/** The public shape of a dataset; with sample counts (the detail view) it adds progress or the per-class report. */
export function toDatasetView(dataset: Dataset & WithCreatedBy, counts?: SampleCount[]): DatasetView {
  const stored = counts?.reduce((sum, c) => sum + c.count, 0) ?? 0;
  return {
    id: dataset.id,
    name: dataset.name,
    status: dataset.status,
    width: dataset.width,
    height: dataset.height,
    channels: dataset.channels,
    spec: dataset.spec as Record<string, unknown>,
    numSamples: dataset.numSamples,
    imageCount: dataset.imageCount,
    classes: dataset.classes,
    skipped: dataset.skipped as { file: string; reason: string }[],
    duplicates: dataset.duplicates as string[][],
    sizeBytes: { upload: Number(dataset.uploadBytes), samples: dataset.numSamples * dataset.width * dataset.height * dataset.channels },
    /** Bytes held in Postgres for it: the uploaded zip and the samples' pixels. */
    storageBytes: Number(dataset.uploadBytes) + dataset.numSamples * dataset.width * dataset.height * dataset.channels,
    ...(dataset.status === 'PROCESSING' && counts && { progress: { stored, of: dataset.imageCount } }),
    ...(dataset.status === 'READY' && counts && { counts: countsPerClass(dataset.classes, counts) }),
    ...(dataset.error !== null && { error: dataset.error }),
    timing: dataset.timing as DatasetTiming | null,
    createdAt: iso(dataset.createdAt),
    createdBy: dataset.createdBy,
  };
}

function countsPerClass(classes: string[], counts: SampleCount[]) {
  const empty = () => ({ train: 0, validation: 0, test: 0, total: 0 });
  const perClass = Object.fromEntries(classes.map((name) => [name, empty()]));
  const perSplit = empty();
  for (const { label, split, count } of counts) {
    const row = perClass[classes[label]!]!;
    row[split as 'train'] += count;
    row.total += count;
    perSplit[split as 'train'] += count;
    perSplit.total += count;
  }
  // A class whose every image was skipped still has an output unit; the user should know it learns nothing.
  const emptyClasses = classes.filter((name) => perClass[name]!.total === 0);
  return { perClass, perSplit, emptyClasses };
}
