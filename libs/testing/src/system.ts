import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { TrainyardClient } from '#libs/client';
import type { ApiKeyRole } from '#libs/contracts';
import { parseDatabaseUrl, PrismaClient } from '#libs/database';
import { type AppProcess, startApi, startWorker } from '#libs/launcher';
import { createTestDatabase, NO_RATE_LIMIT, TEST_REDIS_URL, uniqueName } from './test-database.js';

/**
 * The built API and `workers` worker processes on a schema and queue prefix of their own. `api` holds
 * an admin key given as ADMIN_API_KEY (so no key file is written); `clientAs` makes keys of other roles.
 * Rate limits are off unless `env` sets them: tests poll far faster than people do.
 */
export async function startSystem(options: { workers: number; env?: Record<string, string>; apiEnv?: Record<string, string>; workerEnv?: Record<string, string>; databaseUrl?: string }) {
  const db = await createTestDatabase(options.databaseUrl);
  const { connectionString, schema } = parseDatabaseUrl(db.url);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }, { schema }) });
  const adminKey = randomBytes(32).toString('hex');
  const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueName('e2e'), PORT: '0', TRAIN_BACKEND: 'cpu', ADMIN_API_KEY: adminKey, ...NO_RATE_LIMIT, ...options.env };
  const processes: AppProcess[] = [];
  try {
    const started = await startApi({ ...env, ...options.apiEnv });
    processes.push(started.api);
    const workers = await Promise.all(Array.from({ length: options.workers }, (_, i) => startWorker({ ...env, ...options.workerEnv }, `worker-${i + 1}`)));
    processes.push(...workers);
    const api = new TrainyardClient(started.url, { apiKey: env.ADMIN_API_KEY });
    return {
      api,
      url: started.url,
      apiProcess: started.api,
      adminKey: env.ADMIN_API_KEY,
      /** A client holding a new key of that role, and the key as created. */
      clientAs: async (role: ApiKeyRole, name: string = uniqueName(role)) => {
        const key = await api.createApiKey(name, role);
        return { client: api.withKey(key.key), key };
      },
      prisma,
      env,
      workers,
      /** Remembers a process started later, so stop() ends it too. */
      adopt: (process: AppProcess) => processes.push(process),
      stop: async () => {
        await Promise.all(processes.map((p) => p.stop()));
        await prisma.$disconnect();
        await db.drop();
      },
    };
  } catch (error) {
    await Promise.all(processes.map((p) => p.kill()));
    await db.drop();
    throw error;
  }
}
