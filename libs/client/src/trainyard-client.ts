// A typed client for Trainyard's HTTP API, used by the demo and the end-to-end tests.
import type { ApiKeyRole, ApiKeyView, CreatedApiKey, CreatedBy, EpochMetrics } from '#libs/contracts';

export interface DatasetView {
  id: string;
  name: string;
  status: 'PENDING' | 'PROCESSING' | 'READY' | 'FAILED';
  width: number;
  height: number;
  numSamples: number;
  classes: string[];
  channels: number;
  skipped: { file: string; reason: string }[];
  duplicates: string[][];
  error?: string;
  createdBy: CreatedBy | null;
}

export type MetricView = EpochMetrics;

export interface RunView {
  id: string;
  datasetId: string;
  model: { id: string; name: string };
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  epochs: number;
  attempt: number;
  workerId: string | null;
  backend: string | null;
  error: string | null;
  metrics: MetricView[];
  history: { from: string | null; to: string; attempt: number; workerId: string | null; message: string | null; at: string }[];
  modelVersion: { id: string; version: number } | null;
  createdBy: CreatedBy | null;
  [field: string]: unknown;
}

export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  backend: string;
  device: string;
  /** Whether the worker trains on a real GPU (its device is then the GPU's name). */
  gpu: boolean;
  currentJob: string | null;
  lastHeartbeatAt: string;
}

export interface CreateRunBody {
  datasetId: string;
  layers: { units: number; activation: string }[];
  optimizer: { name: string; learningRate: number };
  batchSize: number;
  epochs: number;
  seed?: number;
  validationSplit?: number;
  modelName?: string;
}

/** An answer that was not 2xx, with the API's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { statusCode?: number; error?: string; message?: string; details?: unknown },
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
  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {}

  /** The headers that authenticate a request, for callers that use fetch directly (binary downloads). */
  get authHeaders(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  uploadDataset(zip: Uint8Array, fields: { name?: string; width?: number; height?: number; fileName?: string } = {}) {
    const form = new FormData();
    form.append('file', new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), fields.fileName ?? 'dataset.zip');
    for (const key of ['name', 'width', 'height'] as const) {
      if (fields[key] !== undefined) form.append(key, String(fields[key]));
    }
    return this.request<{ id: string; status: string; existing: boolean }>('POST', '/datasets', form);
  }

  getDataset(id: string) {
    return this.request<DatasetView>('GET', `/datasets/${id}`);
  }

  createRun(body: CreateRunBody) {
    return this.request<{ id: string; status: string }>('POST', '/runs', body);
  }

  getRun(id: string) {
    return this.request<RunView>('GET', `/runs/${id}`);
  }

  listRuns(query: { status?: string } = {}) {
    const search = new URLSearchParams(query as Record<string, string>).toString();
    return this.request<RunView[]>('GET', `/runs${search ? `?${search}` : ''}`);
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
    return this.request<WorkerView[]>('GET', '/workers');
  }

  /** Polls a dataset until preprocessing has finished, one way or the other. */
  async waitForDataset(id: string, timeoutMs = 120_000): Promise<DatasetView> {
    return poll(() => this.getDataset(id), (d) => d.status === 'READY' || d.status === 'FAILED', timeoutMs);
  }

  /** Polls a run until it ends, calling onUpdate with each new state. */
  async waitForRun(id: string, onUpdate: (run: RunView) => void = () => {}, timeoutMs = 300_000): Promise<RunView> {
    return poll(() => this.getRun(id), (run) => (onUpdate(run), TERMINAL_RUN_STATUSES.includes(run.status)), timeoutMs);
  }

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
