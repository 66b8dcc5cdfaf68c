// The system under test, started as a user starts it: the built API and workers (`npm run start:api`,
// `npm run start:worker` run these entry points) on a Postgres schema and a Redis key prefix of their own.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TrainyardClient } from '#libs/client';
import { dropSchema, migrate } from '#libs/database';
import { type AppProcess, startApi, startWorker } from '#libs/launcher';

export interface BenchSystem {
  client: TrainyardClient;
  api: AppProcess;
  workers: AppProcess[];
  stop: () => Promise<void>;
}

export async function startBenchSystem(options: { databaseUrl: string; redisUrl: string; workers: number; env?: Record<string, string> }): Promise<BenchSystem> {
  const suffix = randomBytes(4).toString('hex');
  const url = new URL(options.databaseUrl);
  url.searchParams.set('schema', `bench_${suffix}`);
  const databaseUrl = url.toString();
  const prefix = `bench_${suffix}`;
  const adminKey = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL: databaseUrl, REDIS_URL: options.redisUrl, QUEUE_PREFIX: prefix, PORT: '0', ADMIN_API_KEY: adminKey,
    // A benchmark submits faster than people do; the limits are not what is measured.
    RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_ADDRESS: '100000000',
    ...options.env,
  };
  await migrate(databaseUrl);
  const processes: AppProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await dropSchema(databaseUrl);
    const redis = new Redis(options.redisUrl);
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
    redis.disconnect();
  };
  try {
    const started = await startApi(env);
    processes.push(started.api);
    const workers = await Promise.all(Array.from({ length: options.workers }, (_, i) => startWorker(env, `worker-${i + 1}`)));
    processes.push(...workers);
    return { client: new TrainyardClient(started.url, { apiKey: adminKey }), api: started.api, workers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
