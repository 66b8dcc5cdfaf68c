import { ApiError, TrainyardClient } from '#libs/client';

/** One HTTP answer the chaos run saw: when, what, and its status (0 when nothing answered). */
export interface Answer {
  at: number;
  path: string;
  status: number;
}

/**
 * A client that records every answer the API gives this process, so 5xx can be counted and matched against
 * the outage windows. It records at fetch, beneath the generated client, so no call path escapes it.
 */
export class RecordingClient extends TrainyardClient {
  readonly answers: Answer[] = [];

  constructor(baseUrl: string, options: ConstructorParameters<typeof TrainyardClient>[1]) {
    super(baseUrl, options);
    const original = globalThis.fetch;
    const answers = this.answers;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const at = Date.now();
      const ours = url.startsWith(baseUrl);
      try {
        const response = await original(input, init);
        if (ours) answers.push({ at, path: `${method} ${new URL(url).pathname}`, status: response.status });
        return response;
      } catch (error) {
        if (ours) answers.push({ at, path: `${method} ${new URL(url).pathname}`, status: 0 });
        throw error;
      }
    };
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
