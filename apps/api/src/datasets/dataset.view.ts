import type { Dataset } from '#libs/database';

/** The public shape of a dataset; `stored` (samples written so far) gives progress while it is PROCESSING. */
export function toDatasetView(dataset: Dataset, stored: number | null = null) {
  const skipped = dataset.skipped as { file: string; reason: string }[];
  return {
    id: dataset.id,
    name: dataset.name,
    status: dataset.status,
    width: dataset.width,
    height: dataset.height,
    numSamples: dataset.numSamples,
    imageCount: dataset.imageCount,
    ...(stored !== null && { progress: { stored, of: dataset.imageCount } }),
    classes: dataset.classes,
    skipped,
    ...(dataset.error !== null && { error: dataset.error }),
    createdAt: dataset.createdAt,
  };
}
