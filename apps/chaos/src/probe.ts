import { ApiError, TrainyardClient } from '#libs/client';

/** One HTTP answer the chaos run saw: when, what, and its status (0 when nothing answered). */
export interface Answer {
  at: number;
  path: string;
  status: number;
}

// Every answer this process gets, recorded at fetch before any client is made: openapi-fetch keeps the
// fetch it finds when a client is created, so the wrapper must already be in place by then.
const recorded: Answer[] = [];
const originalFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const at = Date.now();
  try {
    const response = await originalFetch(input, init);
    recorded.push({ at, path: `${method} ${url}`, status: response.status });
    return response;
  } catch (error) {
    recorded.push({ at, path: `${method} ${url}`, status: 0 });
    throw error;
  }
};

/** A client whose answers from the API are all counted, so 5xx can be matched against the outage windows. */
export class RecordingClient extends TrainyardClient {
  get answers(): Answer[] {
    return recorded.filter((answer) => answer.path.split(' ')[1]!.startsWith(this.baseUrl));
  }

  /** Like `read`, but waits out 503s and refused connections (an outage) instead of failing on them. */
  async patiently<T>(read: () => Promise<T>, deadline: number): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        const outage = !(error instanceof ApiError) || error.status === 503;
        if (!outage || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
