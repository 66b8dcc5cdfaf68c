import { z } from 'zod';
import { ACTIVATIONS, OPTIMIZERS, PageQuerySchema, RUN_STATUSES } from '#libs/contracts';

/** What `orderBy` may name, and the run column each sorts on. */
export const RUN_ORDERS = {
  createdAt: 'queuedAt',
  valAccuracy: 'finalValAccuracy',
  valLoss: 'finalValLoss',
  accuracy: 'finalAccuracy',
  duration: 'durationSeconds',
} as const;
export type RunOrder = keyof typeof RUN_ORDERS;
const ORDER_VALUES = Object.keys(RUN_ORDERS).flatMap((key) => [key, `-${key}`]) as [string, ...string[]];

const instant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 date or date-time')
  .transform((text) => new Date(text));

/** GET /runs: filters, order and page. Strict, so an unknown filter is a 400 naming it. */
export const ListRunsSchema = PageQuerySchema.extend({
  status: z.enum(RUN_STATUSES).optional(),
  datasetId: z.uuid().optional(),
  modelId: z.uuid().optional(),
  createdBy: z.uuid().optional().describe('the id of the API key that submitted the run'),
  sweepId: z.uuid().optional().describe('runs made by this sweep'),
  optimizer: z.enum(OPTIMIZERS).optional(),
  activation: z.enum(ACTIVATIONS).optional().describe('runs with at least one hidden layer using it'),
  minValAccuracy: z.coerce.number().min(0).max(1).optional().describe('final validation accuracy at least this'),
  maxValLoss: z.coerce.number().min(0).optional().describe('final validation loss at most this'),
  from: instant.optional().describe('queued at or after'),
  to: instant.optional().describe('queued at or before'),
  orderBy: z.enum(ORDER_VALUES).default('-createdAt').describe('createdAt, valAccuracy, valLoss, accuracy or duration; a leading - sorts descending'),
});
export type ListRunsQuery = z.infer<typeof ListRunsSchema>;
