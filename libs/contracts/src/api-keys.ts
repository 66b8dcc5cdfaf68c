import { z } from 'zod';

/** What a key may do, weakest first: viewer reads; member also creates, and cancels or deletes its own; admin everything. */
export const API_KEY_ROLES = ['viewer', 'member', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** True when `role` may do what `needed` may. */
export const roleAtLeast = (role: ApiKeyRole, needed: ApiKeyRole): boolean => API_KEY_ROLES.indexOf(role) >= API_KEY_ROLES.indexOf(needed);

/** The key that created a dataset, run or model, as every view shows it (null: made before keys existed). */
export const CreatedBySchema = z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ id: 'CreatedBy' });
export type CreatedBy = NonNullable<z.infer<typeof CreatedBySchema>>;

/** An API key as GET /api-keys lists it: never the secret. */
export const ApiKeyViewSchema = z
  .object({ id: z.uuid(), name: z.string(), role: z.enum(API_KEY_ROLES), createdAt: z.iso.datetime(), revokedAt: z.iso.datetime().nullable() })
  .meta({ id: 'ApiKeyView' });
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** POST /api-keys answers this once; the key is not stored and cannot be shown again. */
export const CreatedApiKeySchema = z
  .object({ id: z.uuid(), name: z.string(), role: z.enum(API_KEY_ROLES), key: z.string() })
  .meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
