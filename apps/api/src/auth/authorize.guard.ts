import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { roleAtLeast, type ApiKeyRole } from '#libs/contracts';
import { bearerToken } from './authenticate.guard.js';
import type { AuthenticatedRequest } from './principal.js';
import { defaultRole, PUBLIC_KEY, ROLE_KEY } from './roles.js';

/** Last of the global guards: 401 without a valid key, 403 when the key's role is weaker than the route's. */
@Injectable()
export class AuthorizeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const { principal } = request;
    if (!principal) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="trainyard"');
      throw new UnauthorizedException(
        bearerToken(request.headers.authorization)
          ? 'the API key is unknown or revoked'
          : 'an API key is required: send "Authorization: Bearer <key>"',
      );
    }
    const needed = this.reflector.getAllAndOverride<ApiKeyRole>(ROLE_KEY, targets) ?? defaultRole(request.method);
    if (!roleAtLeast(principal.role, needed)) {
      throw new ForbiddenException(`${request.method} ${request.path} needs the ${needed} role; key "${principal.name}" is a ${principal.role}`);
    }
    return true;
  }
}
