// A typed client for Trainyard's HTTP API; its types come from the OpenAPI document (`npm run openapi`).
import createClient, { type Client } from 'openapi-fetch';
import type { ApiKeyRole, ApiKeyView, CreatedApiKey } from '#libs/contracts';
import type { components, operations, paths } from './generated/openapi.js';

type Schemas = components['schemas'];
export type DatasetView = Schemas['DatasetView'];
export type RunView = Schemas['RunView'];
export type RunSummary = Schemas['RunSummary'];
export type MetricView = Schemas['EpochMetrics'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type WorkerView = Schemas['WorkerView'];
export type ModelView = Schemas['ModelView'];
export type CreateRunBody = NonNullable<operations['Runs_create']['requestBody']>['content']['application/json'];
export type RunQuery = NonNullable<operations['Runs_list']['parameters']['query']>;
export type ErrorBody = Schemas['ErrorBody'];
/** What callers written before the generated types pass: enum fields as plain strings; the API validates them. */
type Loose<T> = T extends string ? string : T extends (infer U)[] ? Loose<U>[] : T extends object ? { [K in keyof T]: Loose<T[K]> } : T;

/** An answer that was not 2xx, with the API's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ErrorBody>,
  ) {
    super(`HTTP ${status}: ${body.message ?? JSON.stringify(body)}`);
  }
}

export const TERMINAL_RUN_STATUSES: RunView['status'][] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`; `readAdminKey()` from #libs/config finds the bootstrapped admin key. */
  apiKey?: string;
}

export class TrainyardClient {
  /** The typed openapi-fetch client: `api.GET('/runs/{id}', { params: { path: { id } } })`. */
  readonly api: Client<paths>;

  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {
    this.api = createClient<paths>({ baseUrl, headers: this.authHeaders });
  }

  uploadDataset(zip: Uint8Array, fields: { name?: string; width?: number; height?: number; fileName?: string } = {}) {
    const form = new FormData();
    form.append('file', new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), fields.fileName ?? 'dataset.zip');
    for (const key of ['name', 'width', 'height'] as const) {
      if (fields[key] !== undefined) form.append(key, String(fields[key]));
    }
    return this.request<Schemas['DatasetAccepted']>('POST', '/datasets', form);
  }

  getDataset(id: string) {
    return answer(this.api.GET('/datasets/{id}', { params: { path: { id } } }));
  }

  createRun(body: CreateRunBody | Loose<CreateRunBody>) {
    return answer(this.api.POST('/runs', { body: body as CreateRunBody }));
  }

  getRun(id: string) {
    return answer(this.api.GET('/runs/{id}', { params: { path: { id } } }));
  }

  cancelRun(id: string) {
    return answer(this.api.POST('/runs/{id}/cancel', { params: { path: { id } } }));
  }

  listRuns(query: RunQuery | Loose<RunQuery> = {}) {
    return answer(this.api.GET('/runs', { params: { query: query as RunQuery } }));
  }

  /** Admin only; the answer's `key` is shown this once. */
  createApiKey(name: string, role: ApiKeyRole) {
    return this.request<CreatedApiKey>('POST', '/api-keys', { name, role });
  }

  listApiKeys() {
    return this.request<{ total: number; limit: number; offset: number; items: ApiKeyView[] }>('GET', '/api-keys');
  }

  revokeApiKey(id: string) {
    return this.request<void>('DELETE', `/api-keys/${id}`);
  }

  /** The same API with another key. */
  withKey(apiKey: string): TrainyardClient {
    return new TrainyardClient(this.baseUrl, { ...this.options, apiKey });
  }

  listWorkers() {
    return answer(this.api.GET('/workers', {}));
  }

  /** Polls a dataset until preprocessing has finished, one way or the other. */
  async waitForDataset(id: string, timeoutMs = 120_000): Promise<DatasetView> {
    return poll(() => this.getDataset(id), (d) => d.status === 'READY' || d.status === 'FAILED', timeoutMs);
  }

  /** Polls a run until it ends, calling onUpdate with each new state. */
  async waitForRun(id: string, onUpdate: (run: RunView) => void = () => {}, timeoutMs = 300_000): Promise<RunView> {
    return poll(() => this.getRun(id), (run) => (onUpdate(run), TERMINAL_RUN_STATUSES.includes(run.status)), timeoutMs);
  }

  /** Any request, untyped: for multipart bodies and for tests that send what the types would refuse. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const isForm = body instanceof FormData;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.authHeaders, ...(body === undefined || isForm ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, parsed ?? {});
    return parsed as T;
  }

  /** The headers that authenticate a request, for callers that use fetch directly (binary downloads, event streams). */
  get authHeaders(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }
}

/** The data of a 2xx answer, or an ApiError carrying the API's error body. */
async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? {}) as Partial<ErrorBody>);
  return data as T;
}

/** Calls `read` until `done` holds for its value, or throws after `timeoutMs`. */
export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
