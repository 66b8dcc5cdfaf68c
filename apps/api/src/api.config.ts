import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { commonEnv, intVar, loadConfig } from '#libs/config';

/** Prediction threads by default: half the cores (1 on a 2-core host), so HTTP keeps the rest. */
const DEFAULT_PREDICT_THREADS = Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));

export const ApiEnvSchema = z.object({
  ...commonEnv,
  PORT: intVar(0, 65_535, 3000),
  /** Largest accepted upload, in megabytes; bigger ones are answered 413. */
  MAX_UPLOAD_MB: intVar(1, 10_240, 512),
  /** Most files in one multipart upload of images (a zip counts as one). */
  MAX_UPLOAD_FILES: intVar(1, 1_000_000, 10_000),
  /**
   * This key is an admin key. Unset: the API creates one on first start and saves it under the user's
   * config directory (libs/config adminKeyFile). Empty counts as unset, so compose can pass it through.
   */
  /** Requests per RATE_LIMIT_WINDOW_S per API key, and per client address for calls without a valid key; 429 past it. */
  RATE_LIMIT_PER_KEY: intVar(1, 100_000_000, 1_200),
  RATE_LIMIT_PER_ADDRESS: intVar(1, 100_000_000, 120),
  RATE_LIMIT_WINDOW_S: intVar(1, 86_400, 60),
  /** Comma-separated origins (https://app.example.com) that browsers may call the API from; unset: CORS stays off. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port], no path'))),
  ADMIN_API_KEY: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().min(16, 'at least 16 characters; e.g. `openssl rand -hex 32`').optional(),
  ),
  /** Largest estimated worker memory a run may need (parameters, optimizer state, a batch, the dataset); 400 past it. */
  MAX_RUN_MEMORY_MB: intVar(16, 4_194_304, 12_288),
  /** Most runs one POST /sweeps may make (grid combinations times random trials); 400 past it. */
  MAX_RUNS_PER_SWEEP: intVar(1, 10_000, 100),
  /** Threads that decode images and run forward passes for predict and inspect, off the event loop. */
  PREDICT_THREADS: intVar(1, 256, DEFAULT_PREDICT_THREADS),
  /** Prediction requests that may wait for a thread; past it 503 with Retry-After instead of an unbounded queue. */
  PREDICT_QUEUE: intVar(0, 100_000, 32),
  /** Most images one POST /models/:id/predict may carry; 413 past it. */
  MAX_PREDICT_IMAGES: intVar(1, 100_000, 64),
  /** Model weights kept in memory (shared with the prediction threads), least recently used dropped first. */
  PREDICT_CACHE_MB: intVar(0, 1_048_576, 512),
  /** If set, /metrics is also served without a key on this port, for a scraper inside the cluster. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
});
export type ApiConfig = z.infer<typeof ApiEnvSchema>;

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env?: Record<string, string | undefined>): ApiConfig {
  return loadConfig(ApiEnvSchema, env);
}
