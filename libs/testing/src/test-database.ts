import { randomBytes } from 'node:crypto';
import { dropSchema, migrate } from '#libs/database';

/** Where tests find Postgres and Redis; CI starts both, and a test fails loudly when either is down. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Rate limits high enough never to trip in a test that is not about them. */
export const NO_RATE_LIMIT = { RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_ADDRESS: '100000000' };

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A fresh, migrated Postgres schema of the test's own, so test files never see each other's rows. */
export async function createTestDatabase(base = TEST_DATABASE_URL): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(base);
  url.searchParams.set('schema', uniqueName('test'));
  await migrate(url.toString());
  return { url: url.toString(), drop: () => dropSchema(url.toString()) };
}
