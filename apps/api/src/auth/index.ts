// What other controllers use to declare who may call a route and to check who owns a resource.
export { CurrentPrincipal, type Principal } from './principal.js';
export { SkipRateLimit } from './rate-limit.guard.js';
export { assertOwnerOrAdmin, Public, Roles } from './roles.js';
export { CREATED_BY, type WithCreatedBy } from './created-by.js';
