import { z } from 'zod';

/** The text fields of POST /datasets (the archive itself is the multipart field `file`). */
export const UploadDatasetSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  width: z.coerce.number().int().min(1).max(1024).default(128),
  height: z.coerce.number().int().min(1).max(1024).default(128),
});
export type UploadDatasetDto = z.infer<typeof UploadDatasetSchema>;
