import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { TrainyardClient } from '#libs/client';
import { type ApiKeyRole, QueueName } from '#libs/contracts';
import { PrismaService } from '#libs/database';
import { JobQueue } from '#libs/queue';
import { createTestDatabase, NO_RATE_LIMIT, TEST_REDIS_URL, uniqueName } from '#libs/testing';
import { loadApiConfig } from '../api.config.js';
import { createApp } from '../app.js';

/**
 * The real API in-process on a schema and queue prefix of its own, and a client pointed at it holding
 * an admin key (ADMIN_API_KEY, so no key file is written). `env` overrides any api variable (rate limits
 * are off unless it sets them); `databaseUrl` may rewrite the test schema's URL (e.g. through a proxy).
 */
export async function startTestApi(env: Record<string, string> = {}, databaseUrl: (url: string) => string = (url) => url) {
  const db = await createTestDatabase();
  const adminKey = randomBytes(32).toString('hex');
  const config = loadApiConfig({
    DATABASE_URL: databaseUrl(db.url), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueName('api'), PORT: '0', MAX_UPLOAD_MB: '1', MAX_UNCOMPRESSED_MB: '1', MAX_ARCHIVE_ENTRIES: '50', LOG_LEVEL: 'error',
    ADMIN_API_KEY: adminKey, ...NO_RATE_LIMIT, ...env,
  });
  const app: INestApplication = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const jobs = app.get(JobQueue);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = new TrainyardClient(url, { apiKey: adminKey });
  return {
    app,
    url,
    config,
    adminKey,
    /** An admin's client. */
    client,
    /** A client holding a new key of that role, and the key as created. */
    clientAs: async (role: ApiKeyRole, name: string = uniqueName(role)) => {
      const key = await client.createApiKey(name, role);
      return { client: client.withKey(key.key), key };
    },
    prisma: app.get(PrismaService),
    jobs,
    /** Jobs waiting in every queue: a refused request must leave this unchanged. */
    queuedJobs: async () => {
      const counts = await Promise.all(Object.values(QueueName).map((q) => jobs.queue(q).count()));
      return counts.reduce((a, b) => a + b, 0);
    },
    close: async () => {
      await Promise.all(Object.values(QueueName).map((q) => jobs.queue(q).obliterate({ force: true })));
      await app.close();
      await db.drop();
    },
  };
}
