import type { Dataset } from '#libs/database';

/** The public shape of a dataset. */
export function toDatasetView(dataset: Dataset) {
  const skipped = dataset.skipped as { file: string; reason: string }[];
  return {
    id: dataset.id,
    name: dataset.name,
    status: dataset.status,
    width: dataset.width,
    height: dataset.height,
    numSamples: dataset.numSamples,
    classes: dataset.classes,
    skipped,
    ...(dataset.error !== null && { error: dataset.error }),
    createdAt: dataset.createdAt,
  };
}
