import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainyardClient } from '#libs/client';
import { adminKeyFile } from '#libs/config';
import { startApi } from '#libs/launcher';
import { createTestDatabase, TEST_REDIS_URL, uniqueName } from '#libs/testing';

// With no ADMIN_API_KEY the built API makes its own admin key on first start and leaves it where the demo looks.
describe('the bootstrapped admin key', () => {
  it('is created on first start, printed once, saved 0600 under XDG_CONFIG_HOME, and kept by the next start', async () => {
    const configHome = await mkdtemp(join(tmpdir(), 'trainyard-config-'));
    const db = await createTestDatabase();
    // ADMIN_API_KEY empty counts as unset, whatever the test's own environment holds.
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueName('key'), PORT: '0', XDG_CONFIG_HOME: configHome, ADMIN_API_KEY: '' };
    try {
      const file = adminKeyFile({ XDG_CONFIG_HOME: configHome });
      expect(file).toBe(join(configHome, 'trainyard', 'admin-key'));

      const first = await startApi(env);
      const key = (await readFile(file, 'utf8')).trim();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(first.api.output.join('')).toContain(key);
      const admin = new TrainyardClient(first.url, { apiKey: key });
      expect((await admin.listApiKeys()).items).toEqual([expect.objectContaining({ name: 'admin (bootstrap)', role: 'admin', revokedAt: null })]);
      await first.api.stop();

      const second = await startApi(env);
      try {
        expect((await readFile(file, 'utf8')).trim()).toBe(key);
        expect(second.api.output.join('')).not.toContain(key);
        expect((await new TrainyardClient(second.url, { apiKey: key }).listApiKeys()).total).toBe(1);
      } finally {
        await second.api.stop();
      }
    } finally {
      await db.drop();
      await rm(configHome, { recursive: true, force: true });
    }
  });
});
