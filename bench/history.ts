// npm run bench:history — GET /runs and GET /runs/:id over HTTP against a history of 10,000 runs and
// 1,000,000 metric rows, in a Postgres schema of its own (dropped at the end), through the built API.
//
//   npm run bench:history                          # prints the table
//   npm run bench:history -- --record              # also writes bench/results/history.md
//   npm run bench:history -- --requests 1000       # more samples per route (default 300)
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { commonEnv, loadConfig } from '#libs/config';
import { dropSchema, migrate, parseDatabaseUrl } from '#libs/database';
import { type AppProcess, startApi } from '#libs/launcher';
import { fillHistory } from './history/fill.js';
import { type Latency, measureGet } from './history/measure.js';

const { values } = parseArgs({ options: { record: { type: 'boolean', default: false }, requests: { type: 'string', default: '300' } } });
const REQUESTS = Number(values.requests);
const PLAN = { runs: 10_000, metricRows: 1_000_000, hundredEpochRuns: 5 };
const { DATABASE_URL, REDIS_URL } = loadConfig(z.object({ DATABASE_URL: commonEnv.DATABASE_URL, REDIS_URL: commonEnv.REDIS_URL }));

const lines: string[] = [];
const say = (line = '') => (console.log(line), lines.push(line));

const TICK = 100; // USER_HZ on Linux

/** CPU-seconds the whole machine has used, from /proc/stat. */
function machineCpuSeconds(): number {
  const [user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 4).map(Number);
  return (user! + nice! + system!) / TICK;
}

/** CPU-seconds each process has used (user + system); a process gone since is left out. */
function processCpuSeconds(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) / TICK);
    } catch {
      // exited
    }
  }
  return used;
}

async function main() {
  const url = new URL(DATABASE_URL);
  const schema = `bench_history_${randomBytes(4).toString('hex')}`;
  url.searchParams.set('schema', schema);
  // Names the API's Postgres connections, so the backends serving it can be found and their CPU time read.
  url.searchParams.set('application_name', schema);
  const databaseUrl = url.toString();
  const started = new Date();
  const db = new pg.Client({ connectionString: parseDatabaseUrl(databaseUrl).connectionString });
  let api: AppProcess | undefined;
  await migrate(databaseUrl);
  try {
    await db.connect();
    await db.query(`SET search_path TO "${schema}"`);
    const pgVersion = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    say(`machine: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; PostgreSQL ${pgVersion}`);
    say(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine is shared: other sessions build and test on the same cores)`);

    const fill = await fillHistory(db, PLAN);
    const counted = (await db.query<{ runs: string; metrics: string; events: string }>(`SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM run_metrics) AS metrics, (SELECT count(*) FROM run_events) AS events`)).rows[0]!;
    say(`filled schema ${schema} in ${fill.seconds.toFixed(1)} s: ${Number(counted.runs).toLocaleString('en')} runs, ${Number(counted.metrics).toLocaleString('en')} metric rows, ${Number(counted.events).toLocaleString('en')} history rows`);
    say(`  status ${JSON.stringify(fill.statusCounts)}; optimizer ${JSON.stringify(fill.optimizerCounts)}`);

    const adminKey = randomBytes(32).toString('hex');
    const started_ = await startApi({ DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: schema, PORT: '0', ADMIN_API_KEY: adminKey, RATE_LIMIT_PER_KEY: '100000000', NODE_ENV: 'production' });
    api = started_.api;
    const headers = { authorization: `Bearer ${adminKey}` };
    const get = async <T>(path: string) => (await (await fetch(`${started_.url}${path}`, { headers })).json()) as T;

    const hundred = fill.hundredEpochRunIds[0]!;
    const cases: { name: string; path: string; targetMs?: number; check: () => Promise<string | null> }[] = [
      // No target: the floor every request pays (key checked in Postgres, counted in Redis, JSON answer).
      { name: 'the floor: a key checking itself', path: '/api-keys/me', check: async () => null },
      { name: 'best 50 by validation accuracy', path: '/runs?orderBy=-valAccuracy&limit=50', targetMs: 20, check: () => sameOrder('/runs?orderBy=-valAccuracy&limit=50', `TRUE`) },
      {
        name: 'the same, two filters (status, optimizer)',
        path: '/runs?status=SUCCEEDED&optimizer=adam&orderBy=-valAccuracy&limit=50',
        targetMs: 20,
        check: () => sameOrder('/runs?status=SUCCEEDED&optimizer=adam&orderBy=-valAccuracy&limit=50', `status = 'SUCCEEDED' AND optimizer->>'name' = 'adam'`),
      },
      {
        name: 'a 100-epoch run with its metrics',
        path: `/runs/${hundred}`,
        targetMs: 10,
        check: async () => {
          const run = await get<{ metrics: { epoch: number }[]; history: unknown[] }>(`/runs/${hundred}`);
          return run.metrics.length === 100 && run.metrics.every((m, i) => m.epoch === i + 1) && run.history.length === 3 ? null : `GET /runs/${hundred} answered ${run.metrics.length} epochs, ${run.history.length} history entries`;
        },
      },
    ];

    /** The API's page against the same search written directly in SQL: ids in order, and the total. */
    async function sameOrder(path: string, where: string): Promise<string | null> {
      const page = await get<{ total: number; items: { id: string }[] }>(path);
      const expected = await db.query<{ id: string }>(`SELECT id FROM runs WHERE ${where} ORDER BY "finalValAccuracy" DESC NULLS LAST, id DESC LIMIT 50`);
      const total = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE ${where}`)).rows[0]!.n);
      const same = page.total === total && page.items.map((r) => r.id).join() === expected.rows.map((r) => r.id).join();
      return same ? null : `${path} differs from SQL (total ${page.total} vs ${total})`;
    }

    const problems: string[] = [];
    for (const c of cases) {
      const problem = await c.check();
      if (problem) problems.push(problem);
    }

    /** The API process and the Postgres backends holding its connections (the pool grows and shrinks). */
    const serving = async () => [api!.child.pid!, ...(await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [schema])).rows.map((r) => r.pid)];
    const machineBefore = machineCpuSeconds();
    const t0 = performance.now();
    const results: [typeof cases[number], Latency, number][] = [];
    for (const c of cases) {
      let cpuBefore = new Map<number, number>();
      const latency = await measureGet(`${started_.url}${c.path}`, headers, REQUESTS, 25, async () => (cpuBefore = processCpuSeconds(await serving())));
      const cpuAfter = processCpuSeconds(await serving());
      const cpu = [...cpuAfter].reduce((sum, [pid, seconds]) => sum + seconds - (cpuBefore.get(pid) ?? 0), 0);
      results.push([c, latency, (cpu * 1000) / REQUESTS]);
    }
    const wall = (performance.now() - t0) / 1000;
    const machineCpu = machineCpuSeconds() - machineBefore;

    say();
    say(`| request | p50 ms | p95 ms | max ms | target p95 | CPU ms / request (API + its Postgres backends) | body |`);
    say(`|---|---:|---:|---:|---:|---:|---:|`);
    for (const [c, l, cpuMs] of results) {
      const target = c.targetMs === undefined ? '-' : `< ${c.targetMs} ${l.p95 < c.targetMs ? '✓' : '✗'}`;
      say(`| \`GET ${c.path.replace(hundred, ':id')}\` (${c.name}) | ${l.p50.toFixed(2)} | ${l.p95.toFixed(2)} | ${l.max.toFixed(1)} | ${target} | ${cpuMs.toFixed(2)} | ${(l.bytes / 1024).toFixed(1)} KiB |`);
      if (c.targetMs !== undefined && l.p95 >= c.targetMs) problems.push(`${c.name}: p95 ${l.p95.toFixed(2)} ms, target < ${c.targetMs} ms`);
    }
    say();
    say(`- ${REQUESTS} sequential requests per row after 25 warm-up ones, one kept-alive connection, body read; API started with NODE_ENV=production (JSON logs), an admin key, rate limits out of reach (each request still checks its key in Postgres and counts in Redis).`);
    const oursCpu = results.reduce((sum, [, , cpuMs]) => sum + (cpuMs * REQUESTS) / 1000, 0);
    say(`- CPU ms / request: user + system time of the API process and of the Postgres backends on its connections (\`/proc/<pid>/stat\`) over the measured requests, divided by their number: the work a request costs, which the machine's load does not inflate the way it does latency.`);
    say(`- during the ${wall.toFixed(1)} s of measurements the machine's ${availableParallelism()} cores were busy ${machineCpu.toFixed(1)} CPU-seconds, ${oursCpu.toFixed(1)} of them the API and its Postgres backends, the rest this client and other sessions' builds and tests; load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
    for (const problem of problems) say(`- FAIL: ${problem}`);

    if (values.record) {
      const file = join(import.meta.dirname, '..', '..', 'bench', 'results', 'history.md');
      mkdirSync(dirname(file), { recursive: true });
      const args = process.argv.slice(2).join(' ');
      writeFileSync(file, ['# Run history at scale: GET /runs and GET /runs/:id', '', `Recorded ${started.toISOString()} with:`, '', '```', args ? `npm run bench:history -- ${args}` : 'npm run bench:history', '```', '', ...lines, ''].join('\n'));
      console.log(`\nwritten to bench/results/history.md`);
    }
    return problems.length === 0;
  } finally {
    await api?.stop();
    await db.end().catch(() => undefined);
    await dropSchema(databaseUrl);
  }
}

process.exit((await main()) ? 0 : 1);
