import type pg from 'pg';
import { type ListRunsQuery, RUN_ORDERS, type RunOrder } from './list-runs.dto.js';
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow } from './run.view.js';

const TIMESTAMPS = new Set<string>(['queuedAt', 'startedAt', 'finishedAt']);
/** The summary's columns, timestamps read as UTC instants (pg would read a bare timestamp in the process's time zone). */
const SELECT = RUN_SUMMARY_COLUMNS.map((c) => (TIMESTAMPS.has(c) ? `r."${c}" AT TIME ZONE 'UTC' AS "${c}"` : `r."${c}"`)).join(', ');

/**
 * One page of GET /runs and its total: two queries side by side, the page carrying its model's and key's
 * names by join. Prisma took three round trips (count and page, then models and keys) and ~4 ms of CPU
 * more per page of 50 (bench/results/history.md).
 */
export async function searchRuns(pool: pg.Pool, query: ListRunsQuery): Promise<{ total: number; rows: RunSummaryRow[] }> {
  const { where, params, orderBy } = runSearch(query);
  const [count, page] = await Promise.all([
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM runs r WHERE ${where}`, params),
    pool.query<RunSummaryRow>(
      `SELECT ${SELECT}, json_build_object('id', m.id, 'name', m.name) AS model,
              CASE WHEN k.id IS NULL THEN NULL ELSE json_build_object('id', k.id, 'name', k.name) END AS "createdBy"
       FROM runs r JOIN models m ON m.id = r."modelId" LEFT JOIN api_keys k ON k.id = r."createdById"
       WHERE ${where} ORDER BY ${orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    ),
  ]);
  return { total: count.rows[0]!.total, rows: page.rows };
}

/** GET /runs's filters and order as SQL over `runs r`: every value a parameter, every column from a fixed list. */
function runSearch(query: ListRunsQuery): { where: string; params: unknown[]; orderBy: string } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const filter = (value: unknown, condition: (param: string) => string) => {
    if (value === undefined) return;
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  filter(query.status, (p) => `r.status = ${p}::"RunStatus"`);
  filter(query.datasetId, (p) => `r."datasetId" = ${p}::uuid`);
  filter(query.modelId, (p) => `r."modelId" = ${p}::uuid`);
  filter(query.createdBy, (p) => `r."createdById" = ${p}::uuid`);
  filter(query.sweepId, (p) => `r."sweepId" = ${p}::uuid`);
  // The expression `runs_optimizer_name_stats` keeps statistics on, so the planner knows how many runs match.
  filter(query.optimizer && JSON.stringify(query.optimizer), (p) => `r.optimizer #> '{name}' = ${p}::jsonb`);
  // jsonb containment: some element of the layers array has this activation.
  filter(query.activation && JSON.stringify([{ activation: query.activation }]), (p) => `r.layers @> ${p}::jsonb`);
  filter(query.minValAccuracy, (p) => `r."finalValAccuracy" >= ${p}`);
  filter(query.maxValLoss, (p) => `r."finalValLoss" <= ${p}`);
  // timestamp(3) columns hold UTC (Prisma's convention), whatever the session's time zone.
  filter(query.from?.toISOString(), (p) => `r."queuedAt" >= (${p}::timestamptz AT TIME ZONE 'UTC')`);
  filter(query.to?.toISOString(), (p) => `r."queuedAt" <= (${p}::timestamptz AT TIME ZONE 'UTC')`);
  const column = RUN_ORDERS[query.orderBy.replace(/^-/, '') as RunOrder];
  const direction = query.orderBy.startsWith('-') ? 'DESC' : 'ASC';
  // Runs without metrics yet go last whichever way the metric is sorted (queuedAt and durationSeconds are never null).
  const nulls = column === 'queuedAt' || column === 'durationSeconds' ? '' : ' NULLS LAST';
  return { where: conditions.join(' AND ') || 'TRUE', params, orderBy: `r."${column}" ${direction}${nulls}, r.id ${direction}` };
}
