import type { EarlyStopping, EpochTiming, FinalMetrics, RunPriority, HistoryEntry, LayerSpec, Loss, OptimizerSpec, RunSummary, RunView } from '#libs/contracts';
import { iso, isoOrNull } from '#libs/contracts';
import type { Model, ModelVersion, Run, RunEvent, RunMetric } from '#libs/database';
import { CREATED_BY, type WithCreatedBy } from '../auth/index.js';

/** What GET /runs/:id loads beside the run row. */
export const RUN_DETAIL = {
  ...CREATED_BY,
  model: true,
  metrics: { orderBy: { epoch: 'asc' } },
  events: { orderBy: { id: 'asc' } },
  modelVersion: { select: { id: true, version: true } },
} as const;

/** The run columns a summary shows: what GET /runs selects (run-search.ts) and GET /runs/:id loads among the rest. */
export const RUN_SUMMARY_COLUMNS = [
  'id', 'datasetId', 'modelId', 'status', 'layers', 'optimizer', 'batchSize', 'epochs', 'seed', 'validationSplit', 'loss', 'earlyStopping', 'bias',
  'checkpointEvery', 'priority', 'requiresGpu', 'attempt', 'workerId', 'backend', 'error', 'queuedAt', 'startedAt', 'finishedAt', 'createdById',
  'finalEpoch', 'finalLoss', 'finalAccuracy', 'finalValLoss', 'finalValAccuracy', 'durationSeconds', 'sweepId', 'sweepIndex', 'sweepParams',
] as const satisfies readonly (keyof Run)[];

export type RunSummaryRow = Pick<Run, (typeof RUN_SUMMARY_COLUMNS)[number]> & WithCreatedBy & { model: Pick<Model, 'id' | 'name'> };
type RunDetailRow = Run & WithCreatedBy & { model: Pick<Model, 'id' | 'name'>; metrics: RunMetric[]; events: RunEvent[]; modelVersion: Pick<ModelVersion, 'id' | 'version'> | null };

/** The public shape of a run in a list: hyperparameters, lifecycle and final metrics. */
export function toRunSummary(run: RunSummaryRow): RunSummary {
  return {
    id: run.id,
    datasetId: run.datasetId,
    model: { id: run.model.id, name: run.model.name },
    status: run.status,
    layers: run.layers as LayerSpec[],
    optimizer: run.optimizer as OptimizerSpec,
    batchSize: run.batchSize,
    epochs: run.epochs,
    seed: run.seed,
    validationSplit: run.validationSplit,
    loss: run.loss as Loss,
    earlyStopping: run.earlyStopping as EarlyStopping | null,
    bias: run.bias,
    checkpointEvery: run.checkpointEvery,
    priority: run.priority as RunPriority,
    requires: { gpu: run.requiresGpu },
    attempt: run.attempt,
    workerId: run.workerId,
    backend: run.backend,
    error: run.error,
    queuedAt: iso(run.queuedAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    createdBy: run.createdBy,
    final: toFinal(run),
    durationSeconds: run.durationSeconds,
    sweep: run.sweepId ? { id: run.sweepId, index: run.sweepIndex ?? 0, params: (run.sweepParams ?? {}) as Record<string, unknown> } : null,
  };
}

/** GET /runs/:id: the summary with every epoch's metrics and the status history. */
export function toRunView(run: RunDetailRow): Omit<RunView, 'waiting' | 'storageBytes'> {
  return {
    ...toRunSummary(run),
    metrics: run.metrics.map(toMetricView),
    history: run.events.map(toHistoryEntry),
    modelVersion: run.modelVersion,
  };
}

export function toMetricView({ epoch, loss, accuracy, valLoss, valAccuracy, seconds, samplesPerSecond, timing }: RunMetric) {
  return { epoch, loss, accuracy, valLoss, valAccuracy, seconds, samplesPerSecond, timing: timing as EpochTiming | null };
}

export function toHistoryEntry(event: RunEvent): HistoryEntry {
  return {
    id: event.id.toString(),
    runId: event.runId,
    from: event.fromStatus,
    to: event.toStatus,
    attempt: event.attempt,
    workerId: event.workerId,
    message: event.message,
    at: iso(event.at),
  };
}

/** A run's `final`, from the columns written with its newest epoch. */
export function toFinal(run: Pick<Run, 'finalEpoch' | 'finalLoss' | 'finalAccuracy' | 'finalValLoss' | 'finalValAccuracy'>): FinalMetrics | null {
  if (run.finalEpoch === null) return null;
  return { epoch: run.finalEpoch, loss: run.finalLoss!, accuracy: run.finalAccuracy!, valLoss: run.finalValLoss, valAccuracy: run.finalValAccuracy };
}
