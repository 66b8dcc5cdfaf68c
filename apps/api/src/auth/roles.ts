import { ForbiddenException, SetMetadata } from '@nestjs/common';
import { roleAtLeast, type ApiKeyRole } from '#libs/contracts';
import type { Principal } from './principal.js';

export const ROLE_KEY = 'trainyard:role';
export const PUBLIC_KEY = 'trainyard:public';

/**
 * The weakest role that may call a route (or every route of a controller). Without it, GET and HEAD
 * need `viewer` and every other method needs `admin`, so a new write route is closed until it says otherwise.
 */
export const Roles = (role: ApiKeyRole) => SetMetadata(ROLE_KEY, role);

/** A route anyone may call without a key (health checks only). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The role a route needs when it declares none. */
export function defaultRole(method: string): ApiKeyRole {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'admin';
}

/** Members may change only what their own key created; admins anything. Throws 403 naming the resource. */
export function assertOwnerOrAdmin(principal: Principal, resource: { id: string; createdById: string | null }, what: string): void {
  if (roleAtLeast(principal.role, 'admin') || resource.createdById === principal.id) return;
  throw new ForbiddenException(`${what} ${resource.id} was created by another key; only its creator or an admin may change it`);
}
