import { Controller, Get, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { PrismaService } from '#libs/database';
import { Public, SkipRateLimit } from '../auth/index.js';
import type { ErrorBody } from '../http/http-exception.filter.js';
import { FAIL_FAST_REDIS } from '../redis/fail-fast-redis.js';
import { Returns } from '../openapi/returns.decorator.js';

/** How long a dependency may take to answer before it counts as down (probes time out at a few seconds). */
const CHECK_TIMEOUT_MS = 1_500;

/** Terminus's answer; declared here so the document does not depend on terminus finding @nestjs/swagger. */
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    error: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    details: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'Health' });

/** For probes and load balancers: no key, no rate limit. */
@ApiTags('operations')
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
  @Returns(HttpStatus.OK, HealthSchema)
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Postgres and Redis both answer; 503 naming the one that does not. */
  @Get('ready')
  @Returns(HttpStatus.OK, HealthSchema, { description: 'Postgres and Redis answer; 503 (ErrorBody) names the one that does not' })
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
