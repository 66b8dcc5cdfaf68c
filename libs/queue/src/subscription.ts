import type { Redis } from 'ioredis';

/**
 * Subscribes to a channel on a connection of its own (a subscribed connection can do nothing else), made
 * for a long life whatever `redis` is: the API's connection fails fast with its offline queue off, which a
 * duplicate would inherit, so a Redis restart would end the subscription for good. This one queues
 * commands while disconnected, retries for ever and resubscribes when Redis is back. Returns a closer.
 */
export async function subscribe(redis: Redis, channel: string, listener: (message: string) => void): Promise<() => void> {
  const subscriber = redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    lazyConnect: false,
    autoResubscribe: true,
  });
  // While Redis is away ioredis reports each reconnect attempt; the subscription comes back by itself.
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, message: string) => listener(message));
  await subscriber.subscribe(channel);
  // disconnect, not quit: a quit would wait in the offline queue while Redis is down.
  return () => subscriber.disconnect();
}
