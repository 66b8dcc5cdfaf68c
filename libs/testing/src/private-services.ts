// Private Postgres and Redis instances for tests and the chaos script that stop and restart them:
// the shared ones on 5432 and 6379 serve everyone else and must never go down.
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { migrate } from '#libs/database';
import { redisUp } from '#libs/launcher';

const run = promisify(execFile);

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateService {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes it, with its files. */
  remove(): Promise<void>;
}

// Postgres refuses to run as root, and CI runs as root: then every command runs as the postgres user.
const asRoot = process.getuid?.() === 0;
const pgBin = (name: string) => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  const found = versions.map((v) => join(root, v, 'bin', name)).filter((file) => existsSync(file));
  if (!found.length) throw new Error(`${name} not found under /usr/lib/postgresql/*/bin (Debian package postgresql)`);
  return found.at(-1)!;
};
const asPostgres = (file: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));

/** A Postgres cluster of its own in a temporary directory, on a free port, migrated with the project's migrator. */
export async function startPrivatePostgres(): Promise<PrivateService> {
  const dir = await mkdtemp(join(tmpdir(), 'trainyard-pg-'));
  if (asRoot) await chown(dir, ...(await postgresIds()));
  await chmod(dir, 0o700);
  const port = await freePort();
  const data = join(dir, 'data');
  await asPostgres(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: string, ...extra: string[]) =>
    asPostgres(pgBin('pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', ...extra, action]);
  const service: PrivateService = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await ctl('start', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`);
    },
    stop: async () => {
      await ctl('stop', '-m', 'fast');
    },
    remove: async () => {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await service.start();
    await migrate(service.url);
    return service;
  } catch (error) {
    await service.remove();
    throw error;
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postgres']);
  const uid = Number(/uid=(\d+)/.exec(stdout)![1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)![1]);
  return [uid, gid];
}

/** A redis-server of its own, without persistence: every start after a stop is empty, as after a crash. */
export async function startPrivateRedis(): Promise<PrivateService> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ReturnType<typeof spawn> | undefined;
  const service: PrivateService = {
    url,
    port,
    start: async () => {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        if (await redisUp(url)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`redis-server on port ${port} did not start`);
    },
    stop: async () => {
      const stopping = child;
      if (!stopping || stopping.exitCode !== null) return;
      const exited = new Promise((resolve) => stopping.once('exit', resolve));
      stopping.kill('SIGKILL');
      await exited;
    },
    remove: () => service.stop(),
  };
  await service.start();
  return service;
}
