import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { FAIL_FAST_REDIS } from '../redis/fail-fast-redis.js';
import { principalOf } from './principal.js';

const SKIP_KEY = 'trainyard:skip-rate-limit';

/** A route the rate limits leave alone (health probes). */
export const SkipRateLimit = () => SetMetadata(SKIP_KEY, true);

/**
 * Second of the global guards: requests per window per key once AuthenticateGuard has found one, else
 * per client address, so calls without a valid key are limited too before AuthorizeGuard answers 401.
 * Counters live in Redis, so every API replica counts against the same limit; while Redis does not
 * answer, each process counts in its own memory instead of refusing or hanging.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly perKey: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(FAIL_FAST_REDIS) redis: Redis,
  ) {
    const limiter = (what: string, points: number) => {
      const options = { keyPrefix: `${config.QUEUE_PREFIX}:rate-limit:${what}`, points, duration: config.RATE_LIMIT_WINDOW_S };
      return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.perKey = limiter('key', config.RATE_LIMIT_PER_KEY);
    this.perAddress = limiter('address', config.RATE_LIMIT_PER_ADDRESS);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_KEY, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const principal = principalOf(request);
    const [limiter, subject, who] = principal
      ? [this.perKey, principal.id, 'per API key']
      : [this.perAddress, request.ip ?? 'unknown', 'per address without a valid key'];
    const limit = limiter.points;
    try {
      const result = await limiter.consume(subject);
      response.setHeader('X-RateLimit-Limit', limit);
      response.setHeader('X-RateLimit-Remaining', result.remainingPoints);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      response.setHeader('Retry-After', retryAfterS);
      response.setHeader('X-RateLimit-Limit', limit);
      response.setHeader('X-RateLimit-Remaining', 0);
      throw new HttpException(
        `rate limit: at most ${limit} requests per ${this.config.RATE_LIMIT_WINDOW_S} s ${who}; retry after ${retryAfterS} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
