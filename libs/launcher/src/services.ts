import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parseDatabaseUrl } from '#libs/database';

// How Debian starts each service when it is down; elsewhere the message says what to run instead.
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

async function postgresUp(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: parseDatabaseUrl(databaseUrl).connectionString, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when a Redis answers PING at `redisUrl`; never waits on a reconnect. */
export async function redisUp(redisUrl: string): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined); // a refused connection is the answer here, not an event to report
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts Postgres or Redis on this machine if one is down and can be started; else says how. */
export async function ensureServices(databaseUrl: string, redisUrl: string, log: (line: string) => void): Promise<void> {
  const services = [
    { name: 'PostgreSQL', up: () => postgresUp(databaseUrl), start: START_POSTGRES, url: databaseUrl },
    { name: 'Redis', up: () => redisUp(redisUrl), start: START_REDIS, url: redisUrl },
  ];
  for (const service of services) {
    if (await service.up()) continue;
    log(`${service.name} is not answering at ${service.url}; starting it: ${service.start}`);
    try {
      execSync(service.start, { stdio: 'ignore', shell: '/bin/bash' });
    } catch {
      // fall through to the check below, which explains what to do
    }
    for (let i = 0; i < 20 && !(await service.up()); i++) await new Promise((r) => setTimeout(r, 500));
    if (!(await service.up())) {
      throw new Error(`${service.name} is down at ${service.url} and could not be started here. Start it (e.g. \`${service.start}\` or \`docker compose up -d ${service.name === 'Redis' ? 'redis' : 'postgres'}\`) and run again.`);
    }
  }
}
