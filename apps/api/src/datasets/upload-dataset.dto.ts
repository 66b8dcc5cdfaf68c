import { z } from 'zod';
import { FITS } from '#libs/preprocess';

/** "0.5,0.5,0.5" or "[0.5, 0.5, 0.5]": how a list of numbers arrives in a multipart text field. */
const numberList = z.string().transform((text, ctx) => {
  const parts = text.trim().replace(/^\[|\]$/g, '').split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => p === '') || numbers.some((n) => !Number.isFinite(n))) {
    ctx.addIssue({ code: 'custom', message: `expected numbers separated by commas, got "${text}"` });
    return z.NEVER;
  }
  return numbers;
});

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * The text fields of POST /datasets. The images come as one zip in the field `file`, or as many files in
 * the field `files` with `labels` (a JSON array or a comma list, one label per file, in order).
 */
export const UploadDatasetSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  width: z.coerce.number().optional(),
  height: z.coerce.number().optional(),
  fit: z.enum(FITS).optional(),
  channels: z.coerce.number().optional(),
  background: z.string().optional(),
  mean: numberList.optional(),
  std: numberList.optional(),
  round: z.coerce.number().optional(),
  /** train,validation,test fractions, e.g. "0.8,0.1,0.1". */
  split: numberList.optional(),
  seed: z.coerce.number().optional(),
  failOnBadFile: flag.optional(),
  labels: z.string().optional(),
  /** Store the upload even when a dataset with the same content and spec exists. */
  force: flag.optional(),
});
export type UploadDatasetDto = z.infer<typeof UploadDatasetSchema>;
