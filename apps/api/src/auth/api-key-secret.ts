import { createHash, randomBytes } from 'node:crypto';

/** A new key: 32 random bytes (256 bits), prefixed so a leaked one is recognisable in logs and scanners. */
export function generateApiKey(): string {
  return `ty_${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored and looked up. A plain SHA-256 is enough because the keys are 256-bit random values,
 * not passwords: no dictionary or brute force reaches them, so a slow KDF (bcrypt, argon2) would only
 * add latency to every request, while a fast, deterministic hash can be found through a unique index.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
