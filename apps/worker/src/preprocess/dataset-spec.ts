import type { Dataset } from '#libs/database';
import { parsePreprocessSpec, type PreprocessSpec, type PreprocessSpecInput } from '#libs/preprocess';

/** A dataset's preprocessing spec; rows stored before specs existed get their size from the columns. */
export function specOf(dataset: Dataset): PreprocessSpec {
  return parsePreprocessSpec({ width: dataset.width, height: dataset.height, ...(dataset.spec as PreprocessSpecInput) });
}
