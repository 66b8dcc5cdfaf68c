import { z } from 'zod';
import { type RunView, TERMINAL_RUN_STATUSES } from '#libs/client';
import { intVar, loadConfig } from '#libs/config';
import { createRng } from '#libs/engine';
import { type AppProcess, startWorker } from '#libs/launcher';
import { JobQueue, createRedis } from '#libs/queue';
import { shapesZip } from '#libs/samples';
import { type PrivateService, startPrivatePostgres, startPrivateRedis, startSystem } from '#libs/testing';
import { ChaosMonkey } from './monkey.js';
import { DATASETS, planRuns } from './plan.js';
import { RecordingClient } from './probe.js';
import { faultTable, judge, type RunPair } from './verdict.js';

// `npm run chaos`: three workers, 20 runs and 3 datasets while training workers are SIGKILLed at random, Redis
// is restarted empty once runs are training and Postgres restarted mid-training, on private instances (the
// shared ones stay up). Then each run is compared with an uninterrupted run of the same spec and seed.
// Exits non-zero on any loss, or when a fault hit no live work.
const config = loadConfig(
  z.object({
    CHAOS_RUNS: intVar(1, 200, 20),
    CHAOS_WORKERS: intVar(1, 16, 3),
    CHAOS_SEED: intVar(0, 2 ** 31 - 1, 7),
    CHAOS_KILL_EVERY_MS: intVar(1_000, 600_000, 6_000),
    CHAOS_LIMIT_S: intVar(60, 3_600, 300),
  }),
);
const begin = Date.now();
const log = (line: string) => console.log(`[chaos +${((Date.now() - begin) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const deadline = begin + config.CHAOS_LIMIT_S * 1000;
const CHECKPOINTS_KEPT = 3;

async function main(services: { postgres: PrivateService; redis: PrivateService }, processes: AppProcess[]): Promise<boolean> {
  // The system itself comes from the test harness, on the private services, with the API's fault-facing knobs short.
  const system = await startSystem({
    workers: 0,
    databaseUrl: services.postgres.url,
    env: { REDIS_URL: services.redis.url, JOB_LOCK_MS: '3000', RECONCILE_INTERVAL_MS: '5000', TRAIN_BACKEND: 'cpu', CHECKPOINTS_KEPT: String(CHECKPOINTS_KEPT) },
  });
  processes.push(...(await Promise.all(Array.from({ length: config.CHAOS_WORKERS }, (_, i) => startWorker(system.env, `worker-${i + 1}`)))));
  const api = new RecordingClient(system.url, { apiKey: system.adminKey });
  const rng = createRng(config.CHAOS_SEED);
  const monkey = new ChaosMonkey(processes, system.env, services, system.prisma, rng, log);
  const stop = new AbortController();
  // Another client of the API all along, so 5xx from every route family are counted, not only the script's own.
  const prober = setInterval(() => void api.listRuns().catch(() => undefined), 500);
  // Made for the verdict, after the Redis restart: BullMQ's queues print every refused reconnect.
  let jobs: JobQueue | undefined;
  const redis = createRedis(services.redis.url);
  redis.on('error', () => undefined);
  try {
    log(`API ${system.url}, ${config.CHAOS_WORKERS} workers, private Postgres :${services.postgres.port} and Redis :${services.redis.port}`);
    const uploads = await Promise.all(
      DATASETS.map(async (d) => ({ ...d, id: (await api.uploadDataset(await shapesZip({ perClass: d.perClass, size: 32, seed: d.name }), { name: d.name, width: d.side, height: d.side })).id })),
    );
    const chaos = monkey.run(stop.signal, { everyMs: config.CHAOS_KILL_EVERY_MS, minRunning: Math.min(2, config.CHAOS_WORKERS) });
    const datasets = await Promise.all(uploads.map((u) => api.patiently(() => api.waitForDataset(u.id, deadline - Date.now()), deadline)));
    log(`datasets: ${datasets.map((d) => `${d.name} ${d.status}`).join(', ')}`);
    const specs = planRuns(config.CHAOS_RUNS, datasets.map((d) => d.id), config.CHAOS_SEED);
    const ids: string[] = [];
    for (const spec of specs) ids.push((await api.patiently(() => api.createRun(spec), deadline)).id);
    log(`${ids.length} runs queued`);
    const ended = await waitAll(api, ids);
    log(`every run ended (${ended.filter((r) => r.status === 'SUCCEEDED').length} SUCCEEDED); stopping the chaos`);
    stop.abort();
    await chaos;

    log('reference runs: the same specs and seeds, uninterrupted');
    const references: string[] = [];
    for (const spec of specs) references.push((await api.patiently(() => api.createRun(spec), deadline)).id);
    const reference = await waitAll(api, references);
    const pairs: RunPair[] = specs.map((spec, i) => ({ spec, chaos: ended[i]!, reference: reference[i]! }));
    clearInterval(prober);
    jobs = new JobQueue(redis, system.env.QUEUE_PREFIX);
    const verdict = await judge({ pairs, datasets, prisma: system.prisma, jobs, answers: api.answers, faults: monkey.faults, checkpointsKept: CHECKPOINTS_KEPT });
    console.log(['', ...verdict.lines, ''].join('\n'));
    const seconds = ((Date.now() - begin) / 1000).toFixed(0);
    if (verdict.problems.length) {
      console.log(`CHAOS FAILED after ${seconds} s:\n${verdict.problems.map((p) => `  - ${p}`).join('\n')}`);
      return false;
    }
    console.log(`CHAOS PASSED in ${seconds} s: ${pairs.length} runs SUCCEEDED equal to their references, ${datasets.length} datasets READY, nothing orphaned, ${monkey.faults.length} faults`);
    return true;
  } catch (error) {
    // Time up or a step failed: the faults so far still say what the run went through.
    console.log(['', ...faultTable(monkey.faults), ''].join('\n'));
    throw error;
  } finally {
    clearInterval(prober);
    stop.abort();
    await jobs?.close().catch(() => undefined);
    redis.disconnect();
    await Promise.all(processes.map((p) => p.stop()));
    await system.stop().catch((error: Error) => log(`cleanup: ${error.message}`));
  }
}

/** Every run's final state, waiting out outages; gives up at the deadline. */
async function waitAll(api: RecordingClient, ids: string[]): Promise<RunView[]> {
  const done = new Map<string, RunView>();
  while (done.size < ids.length) {
    if (Date.now() > deadline) throw new Error(`time is up with ${ids.length - done.size} run(s) unfinished: ${ids.filter((id) => !done.has(id)).join(', ')}`);
    for (const id of ids.filter((i) => !done.has(i))) {
      const run = await api.patiently(() => api.getRun(id), deadline);
      if (TERMINAL_RUN_STATUSES.includes(run.status)) done.set(id, run);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return ids.map((id) => done.get(id)!);
}

const processes: AppProcess[] = [];
let services: { postgres: PrivateService; redis: PrivateService } | undefined;
let ok = false;
try {
  const [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  services = { postgres, redis };
  ok = await main(services, processes);
} catch (error) {
  console.error(`[chaos] failed: ${(error as Error).stack ?? error}`);
  for (const p of processes) console.error(`--- ${p.name} output ---\n${p.tail(15)}`);
} finally {
  await Promise.all(processes.map((p) => p.kill()));
  await Promise.all([services?.postgres.remove(), services?.redis.remove()]);
}
process.exit(ok ? 0 : 1);
