import { z } from 'zod';
import { CreatedBySchema } from '../api-keys.js';
import { EarlyStoppingSchema, LayerSpecSchema, LOSSES, OptimizerSpecSchema } from '../network.js';
import { RUN_PRIORITIES } from '../scheduling.js';
import { pageOf } from './page.js';
import { Timestamp } from './common.js';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: readonly RunStatusName[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Where one epoch's wall time went, in milliseconds; the parts add up to the epoch's `seconds`. */
export const EpochTimingSchema = z
  .object({
    batchesMs: z.number().describe('training steps: batches built, forward, backward, update, losses read back'),
    validationMs: z.number().describe('scoring the validation split'),
    checkpointMs: z.number().describe('reading the weights (and optimizer state) into a checkpoint; 0 when this epoch stores none'),
    storageMs: z.number().describe("waiting for earlier epochs' rows and checkpoints to be stored (they are written beside training)"),
    otherMs: z.number().describe('the rest: early-stopping bookkeeping, event-loop turns'),
  })
  .meta({ id: 'EpochTiming' });
export type EpochTiming = z.infer<typeof EpochTimingSchema>;

/** What one epoch of training measured; stored as a run_metrics row and shown by GET /runs/:id. */
export const EpochMetricsSchema = z
  .object({
    epoch: z.number().int().describe('1-based'),
    loss: z.number(),
    accuracy: z.number(),
    valLoss: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    seconds: z.number().describe('wall time of the whole epoch: training, validation and the checkpoint'),
    samplesPerSecond: z.number().describe('training samples over the time spent in training steps alone'),
    timing: EpochTimingSchema.nullable().describe('where the epoch went; null for epochs stored before it was recorded'),
  })
  .meta({ id: 'EpochMetrics' });

/** The newest epoch's numbers, kept on the run row so runs can be searched and sorted by them. */
export const FinalMetricsSchema = z
  .object({ epoch: z.number().int(), loss: z.number(), accuracy: z.number(), valLoss: z.number().nullable(), valAccuracy: z.number().nullable() })
  .meta({ id: 'FinalMetrics' });
export type FinalMetrics = z.infer<typeof FinalMetricsSchema>;

/** One status transition of a run. */
export const HistoryEntrySchema = z
  .object({
    id: z.string().describe('increases with every transition of every run'),
    runId: z.uuid(),
    from: z.enum(RUN_STATUSES).nullable(),
    to: z.enum(RUN_STATUSES),
    attempt: z.number().int(),
    workerId: z.string().nullable(),
    message: z.string().nullable(),
    at: Timestamp,
  })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** A run in a list: hyperparameters, lifecycle and its final metrics. */
export const RunSummarySchema = z
  .object({
    id: z.uuid(),
    datasetId: z.uuid().nullable().describe('null once the dataset was deleted'),
    model: z.object({ id: z.uuid(), name: z.string() }),
    status: z.enum(RUN_STATUSES),
    layers: z.array(LayerSpecSchema),
    optimizer: OptimizerSpecSchema,
    batchSize: z.number().int(),
    epochs: z.number().int(),
    seed: z.number().int(),
    validationSplit: z.number().nullable(),
    loss: z.enum(LOSSES),
    earlyStopping: EarlyStoppingSchema.nullable(),
    bias: z.boolean(),
    checkpointEvery: z.number().int(),
    priority: z.enum(RUN_PRIORITIES),
    requires: z.object({ gpu: z.boolean() }),
    attempt: z.number().int(),
    workerId: z.string().nullable(),
    backend: z.string().nullable(),
    error: z.string().nullable(),
    queuedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    createdBy: CreatedBySchema,
    final: FinalMetricsSchema.nullable().describe('null before the first epoch'),
    durationSeconds: z.number().describe('seconds spent training the stored epochs'),
    sweep: z
      .object({ id: z.uuid(), index: z.number().int(), params: z.record(z.string(), z.unknown()) })
      .nullable()
      .describe('the sweep that made it, its place in the sweep and the values the sweep gave it; null for a run submitted alone'),
  })
  .meta({ id: 'RunSummary' });
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** GET /runs/:id: the summary plus every epoch's metrics and the status history. */
export const RunViewSchema = RunSummarySchema.extend({
  metrics: z.array(EpochMetricsSchema),
  history: z.array(HistoryEntrySchema),
  modelVersion: z.object({ id: z.uuid(), version: z.number().int() }).nullable(),
  storageBytes: z.number().int().describe('bytes of its checkpoints in Postgres (0 once it ended)'),
  waiting: z
    .object({ position: z.number().int().describe('1 for the next run its queue hands out'), reason: z.string() })
    .nullable()
    .describe('why a QUEUED run has not started; null otherwise'),
}).meta({ id: 'RunView' });
export type RunView = z.infer<typeof RunViewSchema>;

export const RunPageSchema = pageOf(RunSummarySchema, 'RunPage');

/** POST /runs answers this (202). */
export const RunAcceptedSchema = z.object({ id: z.uuid(), status: z.enum(RUN_STATUSES) }).meta({ id: 'RunAccepted' });
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;
