import { EventSource } from 'eventsource';

export interface StreamEvent {
  type: string;
  id: string;
  data: any;
}

/**
 * A real SSE client (the `eventsource` package) on an API stream, with the key in the Authorization header
 * and, on its first connect, `lastEventId` as the Last-Event-ID header (on reconnects EventSource sends its own).
 * It stops at the first error: a server that ends the stream, or refuses it (`failure` holds the status).
 */
export function openStream(url: string, key: string, options: { lastEventId?: string; types?: string[] } = {}) {
  const events: StreamEvent[] = [];
  let connects = 0;
  let failure: number | undefined;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  let resolveOpened!: () => void;
  const opened = new Promise<void>((resolve) => (resolveOpened = resolve));
  const source = new EventSource(url, {
    fetch: (input, init) => {
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${key}` };
      if (connects++ === 0 && options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;
      return fetch(input, { ...init, headers });
    },
  });
  for (const type of options.types ?? ['epoch', 'status']) {
    source.addEventListener(type, (event) => events.push({ type, id: event.lastEventId, data: JSON.parse(event.data) }));
  }
  source.addEventListener('open', () => resolveOpened());
  source.addEventListener('error', (event) => {
    failure = event.code;
    source.close();
    resolveEnded();
    resolveOpened();
  });

  /** Waits until `check` holds for the events so far. */
  const until = async (check: (events: StreamEvent[]) => boolean, timeoutMs = 60_000): Promise<StreamEvent[]> => {
    for (const deadline = Date.now() + timeoutMs; !check(events); await new Promise((resolve) => setTimeout(resolve, 25))) {
      if (Date.now() > deadline) throw new Error(`stream ${url}: not there after ${timeoutMs} ms; got ${events.map((e) => `${e.type}:${e.id}`).join(' ')}${failure ? ` (HTTP ${failure})` : ''}`);
    }
    return events;
  };

  return {
    events,
    /** Resolves once the server answered with a stream (or the client stopped). */
    opened,
    /** Resolves when the stream ends or is refused, and the client stops. */
    ended,
    get failure() {
      return failure;
    },
    until,
    close: () => {
      source.close();
      resolveEnded();
    },
  };
}
