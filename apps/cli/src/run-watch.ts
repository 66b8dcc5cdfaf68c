import { setTimeout as sleep } from 'node:timers/promises';
import { type HistoryEntry, type MetricView, type RunView, TERMINAL_RUN_STATUSES, type TrainyardClient } from '#libs/client';

export interface RunListener {
  epoch(metric: MetricView): void;
  status(entry: HistoryEntry): void;
}

/** Follows a run until it ends, telling the listener each epoch and each status change once; answers the ended run. */
export async function watchRun(client: TrainyardClient, id: string, listener: RunListener): Promise<RunView> {
  let lastEpoch = 0;
  const seen = new Set<string>();
  for (;;) {
    const run = await client.getRun(id);
    for (const entry of run.history.filter((h) => !seen.has(h.id))) {
      seen.add(entry.id);
      listener.status(entry);
    }
    for (const metric of run.metrics.filter((m) => m.epoch > lastEpoch)) listener.epoch(metric);
    // A resumed attempt drops epochs past its checkpoint; their successors are printed again when they land.
    lastEpoch = run.metrics.at(-1)?.epoch ?? 0;
    if (TERMINAL_RUN_STATUSES.includes(run.status)) return run;
    await sleep(500);
  }
}
