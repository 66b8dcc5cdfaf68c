import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { principalOf } from './principal.js';

const SKIP_KEY = 'trainyard:skip-rate-limit';

/** A route the rate limits leave alone (health probes). */
export const SkipRateLimit = () => SetMetadata(SKIP_KEY, true);

/**
 * Second of the global guards: requests per window per key once AuthenticateGuard has found one, else
 * per client address, so calls without a valid key are limited too before AuthorizeGuard answers 401.
 * Counters live in this process's memory: each API replica limits on its own.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly perKey: RateLimiterMemory;
  private readonly perAddress: RateLimiterMemory;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.perKey = new RateLimiterMemory({ keyPrefix: 'key', points: config.RATE_LIMIT_PER_KEY, duration: config.RATE_LIMIT_WINDOW_S });
    this.perAddress = new RateLimiterMemory({ keyPrefix: 'address', points: config.RATE_LIMIT_PER_ADDRESS, duration: config.RATE_LIMIT_WINDOW_S });
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
