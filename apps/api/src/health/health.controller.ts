import { Controller, Get, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { PrismaService } from '#libs/database';
import { Public, SkipRateLimit } from '../auth/index.js';
import type { ErrorBody } from '../http/http-exception.filter.js';
import { FAIL_FAST_REDIS } from '../redis/fail-fast-redis.js';

/** How long a dependency may take to answer before it counts as down (probes time out at a few seconds). */
const CHECK_TIMEOUT_MS = 1_500;

/** For probes and load balancers: no key, no rate limit. */
@Controller('health')
@Public()
@SkipRateLimit()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    @Inject(FAIL_FAST_REDIS) private readonly redis: Redis,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Postgres and Redis both answer; 503 naming the one that does not. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      return await this.health.check([
        () => this.indicators.check('postgres').attempt(async () => { await this.prisma.$queryRawUnsafe('SELECT 1'); }).withTimeout(CHECK_TIMEOUT_MS),
        () => this.indicators.check('redis').attempt(async () => { await this.redis.ping(); }).withTimeout(CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as { error?: Record<string, { message?: string }>; details?: unknown };
      const down = Object.entries(result.error ?? {}).map(([name, { message }]) => `${name} is unreachable${message ? ` (${message})` : ''}`);
      // Answered here, not thrown: a probe polling an outage would fill the error log with stack traces.
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { statusCode: 503, error: 'Service Unavailable', message: `not ready: ${down.join('; ')}`, details: result } satisfies ErrorBody;
    }
  }
}
