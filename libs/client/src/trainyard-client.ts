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
export type SweepView = Schemas['SweepView'];
export type CreateSweepBody = NonNullable<operations['Sweeps_create']['requestBody']>['content']['application/json'];
export type ErrorBody = Schemas['ErrorBody'];
export type EvaluationView = Schemas['EvaluationView'];
export type RunComparison = Schemas['RunComparison'];
export type ModelSummary = Schemas['ModelSummary'];
export type TfjsModelJson = Schemas['TfjsModelJson'];
/** The preprocessing spec and the other text fields of `POST /datasets`, as the generated document types them. */
export type UploadFields = Omit<NonNullable<operations['Datasets_upload']['requestBody']>['content']['multipart/form-data'], 'labels'> & { fileName?: string };
type PageQuery = { limit?: number; offset?: number };
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

  /** A zip of labelled images, in memory or as a Blob (`fs.openAsBlob` streams a file from disk). */
  uploadDataset(zip: Uint8Array | Blob, { fileName = 'dataset.zip', ...fields }: UploadFields = {}) {
    const form = new FormData();
    form.append('file', zip instanceof Blob ? zip : new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), fileName);
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) form.append(key, String(value));
    }
    return this.request<Schemas['DatasetAccepted']>('POST', '/datasets', form);
  }

  listDatasets(query: PageQuery = {}) {
    return answer(this.api.GET('/datasets', { params: { query } }));
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

  /** 2–10 runs side by side: hyperparameters, the fields that differ, metrics aligned by epoch. */
  compareRuns(ids: string[]) {
    return answer(this.api.GET('/runs/compare', { params: { query: { ids: ids.join(',') } } }));
  }

  getEvaluation(id: string) {
    return answer(this.api.GET('/runs/{id}/evaluation', { params: { path: { id } } }));
  }

  listModels(query: PageQuery = {}) {
    return answer(this.api.GET('/models', { params: { query } }));
  }

  getModel(id: string) {
    return answer(this.api.GET('/models/{id}', { params: { path: { id } } }));
  }

  /** A version (its number or `@alias`) in TensorFlow.js Layers format; its weights come from `weightsBin`. */
  modelJson(id: string, version: number | string) {
    return answer(this.api.GET('/models/{id}/versions/{v}/model.json', { params: { path: { id, v: String(version) } } }));
  }

  /** The version's float32 weights as a byte stream, in `modelJson`'s `weightsManifest` order. */
  weightsBin(id: string, version: number | string) {
    return answer(this.api.GET('/models/{id}/versions/{v}/weights.bin', { params: { path: { id, v: String(version) } }, parseAs: 'stream' })) as Promise<ReadableStream<Uint8Array>>;
  }

  createSweep(body: CreateSweepBody | Loose<CreateSweepBody>) {
    return answer(this.api.POST('/sweeps', { body: body as CreateSweepBody }));
  }

  getSweep(id: string) {
    return answer(this.api.GET('/sweeps/{id}', { params: { path: { id } } }));
  }

  listSweeps(query: PageQuery = {}) {
    return answer(this.api.GET('/sweeps', { params: { query } }));
  }

  cancelSweep(id: string) {
    return answer(this.api.POST('/sweeps/{id}/cancel', { params: { path: { id } } }));
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

  listWorkers(query: PageQuery = {}) {
    return answer(this.api.GET('/workers', { params: { query } }));
  }

  /** Polls a dataset until preprocessing has finished, one way or the other. */
  async waitForDataset(id: string, timeoutMs = 120_000): Promise<DatasetView> {
    return poll(() => this.getDataset(id), (d) => d.status === 'READY' || d.status === 'FAILED', timeoutMs);
  }

  /** Polls a run until it ends, calling onUpdate with each new state. */
  async waitForRun(id: string, onUpdate: (run: RunView) => void = () => {}, timeoutMs = 300_000): Promise<RunView> {
    return poll(() => this.getRun(id), (run) => (onUpdate(run), TERMINAL_RUN_STATUSES.includes(run.status)), timeoutMs);
  }

  /** Polls a sweep until every run of it ended. */
  async waitForSweep(id: string, timeoutMs = 300_000): Promise<SweepView> {
    return poll(() => this.getSweep(id), (sweep) => sweep.status !== 'RUNNING', timeoutMs);
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
