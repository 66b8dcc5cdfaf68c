// Server-Sent Events with the Bearer key: browsers' own EventSource cannot send headers, the `eventsource` package can
// (it reads the stream with fetch), so the key never goes into a URL or a server log.
import { EventSource } from 'eventsource';
import { authHeaders } from './api.js';

export interface Subscription { close(): void }

/**
 * Listens to an SSE route, calling `on[event]` with each event's parsed data and id. `lastEventId` is sent on the
 * first connect (EventSource sends its own on reconnects), so a page that loaded a run's epochs gets only later ones.
 * If the stream cannot be opened (an API without that route, a proxy that refuses streams), it calls `poll` every
 * `pollMs` instead, so a page stays live either way.
 */
export function subscribe(path: string, on: Record<string, (data: any, id: string) => void>, poll: () => void, pollMs = 2000, lastEventId?: string): Subscription {
  let timer: ReturnType<typeof setInterval> | undefined;
  let connects = 0;
  const source = new EventSource(path, {
    fetch: (input, init) => {
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string>), ...authHeaders() };
      if (connects++ === 0 && lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      return fetch(input, { ...init, headers });
    },
  });
  for (const [name, handler] of Object.entries(on)) {
    source.addEventListener(name, (event) => handler(JSON.parse(event.data), event.lastEventId));
  }
  source.addEventListener('error', (event) => {
    // A status code means the server answered but not with a stream: it will not get better by retrying.
    if (event.code === undefined || timer) return;
    source.close();
    timer = setInterval(poll, pollMs);
  });
  return {
    close: () => {
      source.close();
      clearInterval(timer);
    },
  };
}
