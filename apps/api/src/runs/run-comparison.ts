import { differingFields, type EpochMetrics, hyperparametersOf, type RunComparison, type RunSummary } from '#libs/contracts';

/** Runs side by side: each one's flattened hyperparameters, the fields that differ, and their metrics aligned by epoch. */
export function toRunComparison(runs: (RunSummary & { metrics: EpochMetrics[] })[]): RunComparison {
  const withHyperparameters = runs.map(({ metrics: _metrics, ...run }) => ({ ...run, hyperparameters: hyperparametersOf(run) }));
  const byEpoch = runs.map((run) => new Map(run.metrics.map((m) => [m.epoch, m])));
  const epochs = [...new Set(runs.flatMap((run) => run.metrics.map((m) => m.epoch)))].sort((a, b) => a - b);
  return {
    runs: withHyperparameters,
    differences: differingFields(Object.fromEntries(withHyperparameters.map((run) => [run.id, run.hyperparameters]))),
    epochs: epochs.map((epoch) => ({ epoch, metrics: Object.fromEntries(runs.map((run, i) => [run.id, byEpoch[i]!.get(epoch) ?? null])) })),
  };
}
