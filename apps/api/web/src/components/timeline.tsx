import type { HistoryEntry } from '../contracts.js';
import { when } from '../format.js';

/**
 * A run's status history as a bar (one segment per status, as long as it lasted) and a list. A resume, a run
 * handed back to the queue and taken up again by a later attempt, is marked where it happened.
 */
export function Timeline({ history, finishedAt }: { history: HistoryEntry[]; finishedAt: string | null }) {
  if (history.length === 0) return null;
  const start = new Date(history[0]!.at).getTime();
  const end = Math.max(finishedAt ? new Date(finishedAt).getTime() : Date.now(), start + 1);
  const span = end - start;
  const segments = history.map((entry, i) => {
    const from = new Date(entry.at).getTime();
    const to = i + 1 < history.length ? new Date(history[i + 1]!.at).getTime() : end;
    return { entry, left: ((from - start) / span) * 100, width: Math.max(((to - from) / span) * 100, 0.5) };
  });
  const resumed = (i: number) => history[i]!.to === 'RUNNING' && history.slice(0, i).some((e) => e.from === 'RUNNING' && e.to === 'QUEUED');
  return (
    <div class="timeline">
      <div class="timeline-bar">
        {segments.map(({ entry, left, width }, i) => (
          <div key={i} class={`segment status-${entry.to.toLowerCase()}`} style={{ left: `${left}%`, width: `${width}%` }} title={`${entry.to} · attempt ${entry.attempt} · ${entry.workerId ?? 'no worker'}`} />
        ))}
      </div>
      <ol class="timeline-list">
        {history.map((entry, i) => (
          <li key={i} class={resumed(i) ? 'resumed' : ''}>
            <time>{when(entry.at)}</time> <b>{entry.from ? `${entry.from} → ` : ''}{entry.to}</b> · attempt {entry.attempt}
            {entry.workerId && <> · worker <code title={entry.workerId}>{entry.workerId}</code></>}
            {resumed(i) && <span class="tag">resumed</span>}
            {entry.message && <span class="message"> — {entry.message}</span>}
          </li>
        ))}
      </ol>
      <p class="muted">{history.length} transitions, {new Set(history.map((e) => e.attempt).filter((a) => a > 0)).size} attempts, workers: {[...new Set(history.map((e) => e.workerId).filter(Boolean))].join(', ') || '—'}</p>
    </div>
  );
}
