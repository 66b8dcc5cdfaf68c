import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export const FAIL_FAST_REDIS = Symbol('FAIL_FAST_REDIS');

/**
 * A connection for the readiness probe and the rate limiter: the queue's connection retries commands for
 * ever (BullMQ needs that), so on it they would hang while Redis is down instead of failing at once.
 */
export function createFailFastRedis(url: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, commandTimeout: 1_000 });
  // While Redis is down the probe's answer says so; the reconnect attempts need not fill the log too.
  redis.on('error', () => undefined);
  return redis;
}

@Injectable()
class FailFastRedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(FAIL_FAST_REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

@Module({})
export class FailFastRedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: FailFastRedisModule,
      global: true,
      providers: [
        {
          provide: FAIL_FAST_REDIS,
          // Connected before the API listens, else its first probe or rate check would find it not yet ready.
          useFactory: async () => {
            const redis = createFailFastRedis(url);
            await Promise.race([once(redis, 'ready'), sleep(5_000, undefined, { ref: false })]);
            return redis;
          },
        },
        FailFastRedisShutdown,
      ],
      exports: [FAIL_FAST_REDIS],
    };
  }
}
