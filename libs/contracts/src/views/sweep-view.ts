import { z } from 'zod';
import { CreatedBySchema } from '../api-keys.js';
import { SWEEP_METRICS, type SweepMetric } from '../sweep.js';
import { Timestamp } from './common.js';
import { pageOf } from './page.js';
import { FinalMetricsSchema, RUN_STATUSES } from './run-view.js';

/** RUNNING until every run ended; then CANCELLED if it was cancelled (or every run was), SUCCEEDED if a run succeeded, else FAILED. */
export const SWEEP_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type SweepStatusName = (typeof SWEEP_STATUSES)[number];

const metric = z.enum(Object.keys(SWEEP_METRICS) as [SweepMetric, ...SweepMetric[]]);
const params = z.record(z.string(), z.unknown()).describe('the value of each swept path in this run, by path');

/** The sweep's best succeeded run by its metric (ties: the lowest index); null until one succeeded with that metric. */
export const SweepBestSchema = z
  .object({ runId: z.uuid(), index: z.number().int(), value: z.number(), params })
  .nullable()
  .meta({ id: 'SweepBest' });

/** How many of its runs are in each status. */
const count = z.number().int();
export const SweepCountsSchema = z
  .object({ total: count, QUEUED: count, RUNNING: count, SUCCEEDED: count, FAILED: count, CANCELLED: count })
  .meta({ id: 'SweepCounts' });
export type SweepCounts = z.infer<typeof SweepCountsSchema>;

/** A sweep in a list. */
export const SweepSummarySchema = z
  .object({
    id: z.uuid(),
    status: z.enum(SWEEP_STATUSES),
    metric,
    maxParallel: z.number().int().describe('most of its runs that hold a slot (running, or queued to start) at once'),
    counts: SweepCountsSchema,
    best: SweepBestSchema,
    createdAt: Timestamp,
    cancelledAt: Timestamp.nullable(),
    createdBy: CreatedBySchema,
  })
  .meta({ id: 'SweepSummary' });
export type SweepSummary = z.infer<typeof SweepSummarySchema>;

/** One run of a sweep, in the order the sweep generated them. */
export const SweepRunSchema = z
  .object({
    id: z.uuid(),
    index: z.number().int().describe('its place in the generated order; held runs start lowest first'),
    params,
    status: z.enum(RUN_STATUSES),
    final: FinalMetricsSchema.nullable(),
    durationSeconds: z.number(),
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'SweepRun' });

/** GET /sweeps/:id: the summary, what it was given, and its runs. */
export const SweepViewSchema = SweepSummarySchema.extend({
  spec: z.record(z.string(), z.unknown()).describe('what POST /sweeps was given, with the seed it used'),
  runs: z.array(SweepRunSchema),
}).meta({ id: 'SweepView' });
export type SweepView = z.infer<typeof SweepViewSchema>;

export const SweepPageSchema = pageOf(SweepSummarySchema, 'SweepPage');

/** POST /sweeps answers this (202): the runs are queued, or held until a slot of the sweep frees. */
export const SweepAcceptedSchema = z
  .object({ id: z.uuid(), status: z.enum(SWEEP_STATUSES), runIds: z.array(z.uuid()).describe('in generated order') })
  .meta({ id: 'SweepAccepted' });
export type SweepAccepted = z.infer<typeof SweepAcceptedSchema>;
