import type { RunComparison } from '#libs/client';
import { network, num, optimizer, pct, seconds, table } from './output.js';

export type ComparedMetric = 'valAccuracy' | 'valLoss' | 'accuracy' | 'loss';

/** Runs side by side: one row each, the hyperparameters that differ, and one metric by epoch (every n-th and the last). */
export function comparisonTables(comparison: RunComparison, { metric, every }: { metric: ComparedMetric; every: number }): string {
  const { runs, differences, epochs } = comparison;
  // Eight characters of a uuid name a run in a column head; all of it when two share them.
  const short = new Set(runs.map((r) => r.id.slice(0, 8))).size === runs.length;
  const name = (id: string) => (short ? id.slice(0, 8) : id);
  const format = metric === 'valAccuracy' || metric === 'accuracy' ? pct : num;
  const shown = epochs.filter((e, i) => i % every === 0 || i === epochs.length - 1);
  const show = (value: unknown) => (value === null || value === undefined ? '-' : String(value));
  return [
    table(['run', 'status', 'model', 'network', 'optimizer', 'epochs', 'val acc', 'val loss', 'duration'], runs.map((r) => [name(r.id), r.status, r.model.name, network(r), optimizer(r), `${r.final?.epoch ?? 0}/${r.epochs}`, pct(r.final?.valAccuracy), num(r.final?.valLoss), seconds(r.durationSeconds)])),
    differences.length ? table(['differs', ...runs.map((r) => name(r.id))], differences.map((d) => [d.field, ...runs.map((r) => show(d.values[r.id]))])) : 'no hyperparameter differs',
    `${metric} by epoch`,
    table(['epoch', ...runs.map((r) => name(r.id))], shown.map((e) => [e.epoch, ...runs.map((r) => (e.metrics[r.id] ? format(e.metrics[r.id]![metric]) : '-'))])),
  ].join('\n');
}
