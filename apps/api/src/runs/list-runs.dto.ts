import { z } from 'zod';
import { RunStatus } from '#libs/database';
import { PageSchema } from '../http/page.dto.js';

export const ListRunsSchema = PageSchema.extend({
  status: z.enum(RunStatus).optional(),
  datasetId: z.uuid().optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsSchema>;
