import { parsePreprocessSpec, type PreprocessSpec, type PreprocessSpecInput } from './preprocess-spec.js';

/**
 * The spec a stored dataset or model version was built with. Rows stored before specs existed have an
 * empty one, so their size (and channels) come from their own columns.
 */
export function storedSpec(size: { width: number; height: number; channels?: number }, spec: unknown): PreprocessSpec {
  const { width, height, channels } = size;
  return parsePreprocessSpec({ width, height, ...(channels === 3 && { channels }), ...(spec as PreprocessSpecInput | undefined) });
}
