import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { JobQueue } from './job-queue.js';
import { RunEvents } from './run-events.js';
import { RunSignals } from './run-signals.js';
import { assertNoEviction, createRedis } from './redis.js';

export const REDIS = Symbol('REDIS');

/** Closes the queues and the connection when the app stops, so no command is cut off. */
@Injectable()
class QueueShutdown implements OnApplicationShutdown {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
    await this.redis.quit();
  }
}

@Module({})
export class QueueModule {
  /** `failFast` for an HTTP server: Redis calls fail at once while Redis is down (see createRedis). */
  static forRoot(options: { redisUrl: string; prefix: string; failFast?: boolean }): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        {
          provide: REDIS,
          useFactory: async () => {
            const redis = createRedis(options.redisUrl, { failFast: options.failFast });
            if (options.failFast) await redis.connect();
            await assertNoEviction(redis);
            return redis;
          },
        },
        { provide: JobQueue, useFactory: (redis: Redis) => new JobQueue(redis, options.prefix), inject: [REDIS] },
        { provide: RunSignals, useFactory: (redis: Redis) => new RunSignals(redis, options.prefix), inject: [REDIS] },
        { provide: RunEvents, useFactory: (redis: Redis) => new RunEvents(redis, options.prefix), inject: [REDIS] },
        QueueShutdown,
      ],
      exports: [REDIS, JobQueue, RunSignals, RunEvents],
    };
  }
}
