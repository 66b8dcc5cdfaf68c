import { iso, isoOrNull, RUN_STATUSES, type SweepCounts, type SweepMetric, type SweepSummary, type SweepView } from '#libs/contracts';
import type { Run, Sweep } from '#libs/database';
import { bestRun, sweepStatus } from '#libs/sweeps';
import { CREATED_BY, type WithCreatedBy } from '../auth/index.js';
import { toFinal } from '../runs/run.view.js';

/** The run columns a sweep's view reads; a list reads them too (for its counts and best run). */
const SWEEP_RUN = {
  select: {
    id: true, status: true, sweepIndex: true, sweepParams: true, durationSeconds: true, startedAt: true, finishedAt: true, error: true,
    finalEpoch: true, finalLoss: true, finalAccuracy: true, finalValLoss: true, finalValAccuracy: true,
  },
  orderBy: { sweepIndex: 'asc' },
} as const;

/** What a sweep is loaded with for its views. */
export const SWEEP_DETAIL = { ...CREATED_BY, runs: SWEEP_RUN } as const;

type SweepRunRow = Pick<Run, keyof (typeof SWEEP_RUN)['select']>;
type SweepRow = Sweep & WithCreatedBy & { runs: SweepRunRow[] };

const toSweepRun = (run: SweepRunRow) => ({
  id: run.id,
  index: run.sweepIndex ?? 0,
  params: (run.sweepParams ?? {}) as Record<string, unknown>,
  status: run.status,
  final: toFinal(run),
  durationSeconds: run.durationSeconds,
  startedAt: isoOrNull(run.startedAt),
  finishedAt: isoOrNull(run.finishedAt),
  error: run.error,
});

export function toSweepSummary(sweep: SweepRow): SweepSummary {
  const runs = sweep.runs.map(toSweepRun);
  const counts = Object.fromEntries([['total', runs.length], ...RUN_STATUSES.map((s) => [s, runs.filter((r) => r.status === s).length])]) as SweepCounts;
  const metric = sweep.metric as SweepMetric;
  const best = bestRun(runs, metric);
  return {
    id: sweep.id,
    status: sweepStatus(counts, sweep.cancelledAt !== null),
    metric,
    maxParallel: sweep.maxParallel,
    counts,
    best: best && { runId: best.run.id, index: best.run.index, value: best.value, params: best.run.params },
    createdAt: iso(sweep.createdAt),
    cancelledAt: isoOrNull(sweep.cancelledAt),
    createdBy: sweep.createdBy,
  };
}

export function toSweepView(sweep: SweepRow): SweepView {
  return { ...toSweepSummary(sweep), spec: sweep.spec as Record<string, unknown>, runs: sweep.runs.map(toSweepRun) };
}
