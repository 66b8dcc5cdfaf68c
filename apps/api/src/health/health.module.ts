import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { createHealthRedis, HEALTH_REDIS, type HealthRedis } from './health-redis.js';

@Injectable()
class HealthRedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(HEALTH_REDIS) private readonly redis: HealthRedis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** GET /health/live and /health/ready (@nestjs/terminus). */
@Module({})
export class HealthModule {
  static forRoot(redisUrl: string): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_REDIS, useFactory: () => createHealthRedis(redisUrl) }, HealthRedisShutdown],
    };
  }
}
