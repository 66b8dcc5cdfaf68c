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
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('trainyard'),
};

/** An integer variable with bounds, accepting the string the environment holds. */
export const intVar = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
