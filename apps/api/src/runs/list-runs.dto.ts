import { z } from 'zod';
import { RunStatus } from '#libs/database';

export const ListRunsSchema = z.strictObject({
  status: z.enum(RunStatus).optional(),
  datasetId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListRunsQuery = z.infer<typeof ListRunsSchema>;
