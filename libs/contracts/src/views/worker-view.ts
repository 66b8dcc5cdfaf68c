import { z } from 'zod';
import { pageOf } from './page.js';
import { Timestamp } from './common.js';

export const WorkerViewSchema = z
  .object({
    id: z.string(),
    host: z.string(),
    pid: z.number().int(),
    backend: z.string(),
    device: z.string(),
    gpu: z.boolean().describe('whether the backend runs on a GPU'),
    currentJob: z.string().nullable(),
    startedAt: Timestamp,
    lastHeartbeatAt: Timestamp,
  })
  .meta({ id: 'WorkerView' });
export type WorkerView = z.infer<typeof WorkerViewSchema>;

export const WorkerPageSchema = pageOf(WorkerViewSchema, 'WorkerPage');
