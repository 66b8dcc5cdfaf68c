import { Redis } from 'ioredis';

/** BullMQ workers block on Redis, so ioredis must retry forever rather than fail queued commands. */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** BullMQ loses jobs if Redis may evict keys; refuse to start against such a Redis. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== undefined && policy !== 'noeviction') {
    throw new Error(`Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" (redis-server --maxmemory-policy noeviction)`);
  }
}
