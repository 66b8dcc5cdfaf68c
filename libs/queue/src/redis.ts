import { Redis } from 'ioredis';

/** A Redis command that gets no answer in this long fails, so a request never waits on a Redis that is down. */
export const FAIL_FAST_MS = 1_500;

/**
 * BullMQ workers block on Redis, so their ioredis retries forever rather than fail queued commands (a
 * worker waits out an outage). An HTTP server wants the opposite (`failFast`): refuse at once while Redis
 * is disconnected, and give up on a reply after FAIL_FAST_MS, so its routes can answer 503 in time.
 */
export function createRedis(url: string, { failFast = false } = {}): Redis {
  if (!failFast) return new Redis(url, { maxRetriesPerRequest: null });
  return new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: FAIL_FAST_MS, lazyConnect: true });
}

/** BullMQ loses jobs if Redis may evict keys; refuse to start against such a Redis. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== undefined && policy !== 'noeviction') {
    throw new Error(`Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" (redis-server --maxmemory-policy noeviction)`);
  }
}
