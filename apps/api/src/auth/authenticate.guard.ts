import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '../http/domain-error.js';
import type { AuthenticatedRequest } from './principal.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * First of the global guards: finds the key a request carries and leaves its principal on the request.
 * It refuses nothing itself, so the rate limiter after it can count unauthenticated calls per address
 * before AuthorizeGuard answers them 401.
 */
@Injectable()
export class AuthenticateGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = bearerToken(request.headers.authorization);
    if (!key) return true;
    try {
      request.principal = await this.keys.authenticate(key);
    } catch (error) {
      // A lookup by unique hash fails only when Postgres does not answer: say so, rather than a bare 500.
      throw new DomainError('UNAVAILABLE', `cannot check the API key: Postgres is unreachable (${(error as Error).message.split('\n').at(-1)})`);
    }
    return true;
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
