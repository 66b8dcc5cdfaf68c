// No zod here (types only): the dashboard bundles this file by its path.
import { initializerOf, layerBias } from './layer-defaults.js';
import type { RunSummary } from './views/run-view.js';

export type HyperparameterValue = string | number | boolean | null;

/** What a run was asked to do, as POST /runs took it. */
export type RunSpecFields = Pick<
  RunSummary,
  'datasetId' | 'layers' | 'optimizer' | 'batchSize' | 'epochs' | 'seed' | 'validationSplit' | 'loss' | 'earlyStopping' | 'bias' | 'checkpointEvery' | 'priority' | 'requires'
>;

/**
 * A run's hyperparameters flattened to dotted paths (`optimizer.learningRate`, `layers.0.units`), with the
 * defaults the trainer applies written out (a layer's bias and initializer, weight decay, early stopping's
 * minDelta), so two runs that train alike compare equal field by field. `validationSplit` null means the
 * dataset's own split, `earlyStopping.patience` null means off.
 */
export function hyperparametersOf(run: RunSpecFields): Record<string, HyperparameterValue> {
  const fields: Record<string, HyperparameterValue> = { datasetId: run.datasetId };
  run.layers.forEach((layer, i) => {
    fields[`layers.${i}.units`] = layer.units;
    fields[`layers.${i}.activation`] = layer.activation;
    fields[`layers.${i}.bias`] = layerBias(layer, run.bias);
    fields[`layers.${i}.init`] = initializerOf(layer);
  });
  Object.assign(fields, {
    'optimizer.name': run.optimizer.name,
    'optimizer.learningRate': run.optimizer.learningRate,
    'optimizer.weightDecay': run.optimizer.weightDecay ?? 0,
    batchSize: run.batchSize,
    epochs: run.epochs,
    seed: run.seed,
    validationSplit: run.validationSplit,
    loss: run.loss,
    'earlyStopping.patience': run.earlyStopping?.patience ?? null,
    'earlyStopping.minDelta': run.earlyStopping ? (run.earlyStopping.minDelta ?? 0) : null,
    bias: run.bias,
    checkpointEvery: run.checkpointEvery,
    priority: run.priority,
    'requires.gpu': run.requires.gpu,
  });
  return fields;
}

/** The fields whose values are not all equal, in field order, with each run's value (null where a run has no such field). */
export function differingFields<K extends string>(byRun: Record<K, Record<string, HyperparameterValue>>): { field: string; values: Record<K, HyperparameterValue> }[] {
  const runs = Object.entries(byRun) as [K, Record<string, HyperparameterValue>][];
  const fields = hyperparameterFields(runs.map(([, values]) => values));
  return fields
    .map((field) => ({ field, values: Object.fromEntries(runs.map(([id, values]) => [id, values[field] ?? null])) as Record<K, HyperparameterValue> }))
    .filter(({ values }) => new Set(Object.values(values)).size > 1);
}

/** Every field any of the runs has, in natural order: the run with the most fields (layers) lists them all in it. */
export function hyperparameterFields(runs: Record<string, HyperparameterValue>[]): string[] {
  return [...new Set(runs.map((values) => Object.keys(values)).sort((x, y) => y.length - x.length).flat())];
}
