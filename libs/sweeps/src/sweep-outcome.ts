import { type FinalMetrics, SWEEP_METRICS, type SweepCounts, type SweepMetric, type SweepStatusName } from '#libs/contracts';

/**
 * RUNNING while any run is QUEUED or RUNNING. Then: CANCELLED if the sweep was cancelled or every run was;
 * SUCCEEDED if at least one run succeeded (there is a model to pick); FAILED otherwise.
 */
export function sweepStatus(counts: SweepCounts, cancelled: boolean): SweepStatusName {
  if (counts.QUEUED + counts.RUNNING > 0) return 'RUNNING';
  if (cancelled || (counts.total > 0 && counts.CANCELLED === counts.total)) return 'CANCELLED';
  return counts.SUCCEEDED > 0 ? 'SUCCEEDED' : 'FAILED';
}

interface Ranked {
  index: number;
  status: string;
  final: FinalMetrics | null;
}

/** The succeeded run with the best `metric` (highest accuracy, lowest loss); a tie goes to the lower index. */
export function bestRun<T extends Ranked>(runs: T[], metric: SweepMetric): { run: T; value: number } | null {
  const better = SWEEP_METRICS[metric] === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let best: { run: T; value: number } | null = null;
  for (const run of [...runs].sort((a, b) => a.index - b.index)) {
    const value = run.final?.[metric];
    if (run.status !== 'SUCCEEDED' || typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (!best || better(value, best.value)) best = { run, value };
  }
  return best;
}
