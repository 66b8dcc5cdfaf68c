/** What a key may do, weakest first: viewer reads; member also creates, and cancels or deletes its own; admin everything. */
export const API_KEY_ROLES = ['viewer', 'member', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** True when `role` may do what `needed` may. */
export const roleAtLeast = (role: ApiKeyRole, needed: ApiKeyRole): boolean => API_KEY_ROLES.indexOf(role) >= API_KEY_ROLES.indexOf(needed);

/** The key that created a dataset, run or model, as every view shows it. */
export interface CreatedBy {
  id: string;
  name: string;
}

/** An API key as GET /api-keys lists it: never the secret. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: ApiKeyRole;
  createdAt: string;
  revokedAt: string | null;
}

/** POST /api-keys answers this once; the key is not stored and cannot be shown again. */
export interface CreatedApiKey {
  id: string;
  name: string;
  role: ApiKeyRole;
  key: string;
}
