import { z } from 'zod';

/** Variables both apps read: where Postgres and Redis are, and the namespace of the queues. */
export const commonEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (add ?schema=NAME for another schema)')
    .default('postgresql://postgres@127.0.0.1:5432/test'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** pino's level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: one JSON object a line, for collectors; pretty: for a person at a terminal. Default: json when NODE_ENV=production. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  NODE_ENV: z.string().optional(),
  /** Most runs one API key may have RUNNING at once; the rest wait QUEUED, in order. 0: no limit. */
  MAX_RUNNING_RUNS_PER_KEY: z.coerce.number().int().min(0).max(100_000).default(0),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('trainyard'),
  /**
   * Most entries an uploaded zip may hold, and most bytes its images may inflate to (zip bombs stop
   * here): the API answers 413 past either, and workers open archives with the same limits.
   */
  MAX_ARCHIVE_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  MAX_UNCOMPRESSED_MB: z.coerce.number().int().min(1).max(1_048_576).default(4_096),
};

/** An integer variable with bounds, accepting the string the environment holds. */
export const intVar = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** How an app logs, from its validated environment. */
export interface LogOptions {
  level: string;
  format: 'json' | 'pretty';
}

export function logOptions(env: { LOG_LEVEL: string; LOG_FORMAT?: 'json' | 'pretty'; NODE_ENV?: string }): LogOptions {
  return { level: env.LOG_LEVEL, format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty') };
}
