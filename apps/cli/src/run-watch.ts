import { EventSource } from 'eventsource';
import { type HistoryEntry, type MetricView, type RunView, TERMINAL_RUN_STATUSES, type TrainyardClient } from '#libs/client';
import { CliError } from './cli-error.js';

export interface RunListener {
  epoch(metric: MetricView): void;
  status(entry: HistoryEntry): void;
}

/** How long the stream may stay down (reconnecting) before the watch gives up. */
const GIVE_UP_MS = 30_000;

/**
 * Follows a run through `GET /runs/:id/events` until its terminal status, telling the listener each epoch
 * and status change once (a reconnect resends Last-Event-ID, so only later epochs come again); answers the ended run.
 */
export async function watchRun(client: TrainyardClient, id: string, listener: RunListener): Promise<RunView> {
  await new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    let lastEpoch = 0;
    let downSince: number | undefined;
    const source = new EventSource(`${client.baseUrl}/runs/${id}/events`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...client.authHeaders } }),
    });
    const finish = (error?: Error) => {
      source.close();
      if (error) reject(error);
      else resolve();
    };
    source.addEventListener('open', () => (downSince = undefined));
    source.addEventListener('epoch', (event) => {
      const metric = JSON.parse(event.data) as MetricView;
      if (metric.epoch <= lastEpoch) return;
      lastEpoch = metric.epoch;
      listener.epoch(metric);
    });
    source.addEventListener('status', (event) => {
      const entry = JSON.parse(event.data) as HistoryEntry;
      if (seen.has(entry.id)) return;
      seen.add(entry.id);
      listener.status(entry);
      // The server ends the stream here; without closing, EventSource would reconnect.
      if (TERMINAL_RUN_STATUSES.includes(entry.to)) finish();
    });
    source.addEventListener('error', (event) => {
      // A status code: the API answered, but not with a stream; retrying will not change that.
      if (event.code !== undefined) return finish(new CliError(`the event stream of run ${id} answered HTTP ${event.code}${event.message ? `: ${event.message}` : ''}`));
      downSince ??= Date.now();
      if (Date.now() - downSince > GIVE_UP_MS) finish(new CliError(`lost the event stream of run ${id} at ${client.baseUrl} for ${GIVE_UP_MS / 1000} s: ${event.message ?? 'connection failed'}`));
    });
  });
  return client.getRun(id);
}
