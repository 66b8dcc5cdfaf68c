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

type RunRow = Run & WithCreatedBy & {
  model: Model;
  metrics?: RunMetric[];
  events?: RunEvent[];
  modelVersion?: Pick<ModelVersion, 'id' | 'version'> | null;
};

/** The public shape of a run: hyperparameters, lifecycle, and (on the detail view) metrics and history. */
export function toRunView(run: RunRow) {
  return {
    id: run.id,
    datasetId: run.datasetId,
    model: { id: run.model.id, name: run.model.name },
    status: run.status,
    layers: run.layers,
    optimizer: run.optimizer,
    batchSize: run.batchSize,
    epochs: run.epochs,
    seed: run.seed,
    validationSplit: run.validationSplit,
    loss: run.loss,
    earlyStopping: run.earlyStopping,
    bias: run.bias,
    checkpointEvery: run.checkpointEvery,
    priority: run.priority,
    requires: { gpu: run.requiresGpu },
    attempt: run.attempt,
    workerId: run.workerId,
    backend: run.backend,
    error: run.error,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    createdBy: run.createdBy,
    ...(run.metrics && {
      metrics: run.metrics.map(({ epoch, loss, accuracy, valLoss, valAccuracy, seconds, samplesPerSecond }) => ({
        epoch, loss, accuracy, valLoss, valAccuracy, seconds, samplesPerSecond,
      })),
    }),
    ...(run.events && {
      history: run.events.map(({ fromStatus, toStatus, attempt, workerId, message, at }) => ({
        from: fromStatus, to: toStatus, attempt, workerId, message, at,
      })),
    }),
    ...(run.modelVersion !== undefined && { modelVersion: run.modelVersion }),
  };
}
