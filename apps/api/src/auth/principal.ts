import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiKeyRole } from '#libs/contracts';

/** The API key a request was made with, once the guard has checked it. */
export interface Principal {
  id: string;
  name: string;
  role: ApiKeyRole;
}

/** Where the guard leaves the principal on the request (undefined: no valid key). */
export type AuthenticatedRequest = Request & { principal?: Principal };

export function principalOf(request: Request): Principal | undefined {
  return (request as AuthenticatedRequest).principal;
}

/** A handler parameter holding the caller's Principal: `cancel(@CurrentPrincipal() principal: Principal)`. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<Request>());
  // The guard refuses unauthenticated calls before any handler runs; reaching here without one is a wiring bug.
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication (is it @Public()?)');
  return principal;
});
