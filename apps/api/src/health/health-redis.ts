import { Redis } from 'ioredis';

export const HEALTH_REDIS = Symbol('HEALTH_REDIS');
export type HealthRedis = Pick<Redis, 'ping' | 'disconnect'>;

/**
 * A connection of its own for the readiness probe: the queue's connection retries commands for ever
 * (BullMQ needs that), so a ping on it would hang while Redis is down instead of failing.
 */
export function createHealthRedis(url: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
  // While Redis is down the probe's answer says so; the reconnect attempts need not fill the log too.
  redis.on('error', () => undefined);
  return redis;
}
