import { isDatabaseUnavailable } from '#libs/database';
import { QueueUnavailableError } from '#libs/queue';

/** Seconds a client is told to wait (Retry-After) when a backing service is down. */
export const OUTAGE_RETRY_AFTER_S = 5;

/** The 503 message for an error that means Postgres or Redis is down, or null when it means something else. */
export function outageMessage(exception: unknown): string | null {
  if (isDatabaseUnavailable(exception)) return 'the database (Postgres) is unreachable; try again shortly';
  if (exception instanceof QueueUnavailableError) return `the job queue is unreachable: ${exception.message}`;
  return null;
}
