import { ApiError, TrainyardClient } from '#libs/client';

/** One HTTP answer the chaos run saw: when, what, and its status (0 when nothing answered). */
export interface Answer {
  at: number;
  path: string;
  status: number;
}

/** A client that records every answer, so 5xx can be counted and matched against the outage windows. */
export class RecordingClient extends TrainyardClient {
  readonly answers: Answer[] = [];

  override async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const at = Date.now();
    try {
      const value = await super.request<T>(method, path, body);
      this.answers.push({ at, path: `${method} ${path}`, status: 200 });
      return value;
    } catch (error) {
      this.answers.push({ at, path: `${method} ${path}`, status: error instanceof ApiError ? error.status : 0 });
      throw error;
    }
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
