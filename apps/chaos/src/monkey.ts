import { type AppProcess, startWorker } from '#libs/launcher';
import type { PrismaClient } from '#libs/database';
import type { Rng } from '#libs/engine';
import type { PrivateService } from '#libs/testing';
import { describe, type Progress, readProgress } from './progress.js';

/** A fault the monkey caused, the live work it hit, and the window in which 503s are expected from it. */
export interface Fault {
  kind: 'worker SIGKILL' | 'Redis restarted empty' | 'Postgres restarted';
  at: number;
  /** Until when the API may answer 503 because of it (0 for a worker kill: those must cost no 5xx). */
  outageUntil: number;
  /** What was RUNNING, QUEUED and processing when it hit. */
  hit: Progress;
  /** For a SIGKILL: the run the killed worker was training, if it was. */
  victim?: Progress['busy'][number];
  detail: string;
}

// After a service is back, clients may still meet a dropped pooled connection for a moment.
const RECOVERY_MS = 10_000;
const DOWN_MS = 3_000;
const POLL_MS = 200;

/**
 * Faults triggered by the runs' progress, not by the clock, so on a fast or a slow machine they hit live
 * work: Redis restarted empty once `minRunning` runs are RUNNING and one has an epoch stored, Postgres
 * restarted while a run is mid-training once an epoch has been stored since Redis came back (the system
 * recovered: a fixed wait let fast runs all end first), and a worker that is training (or preprocessing)
 * SIGKILLed every `everyMs` (± half).
 */
export class ChaosMonkey {
  readonly faults: Fault[] = [];
  private started = 0;

  constructor(
    readonly workers: AppProcess[],
    private readonly env: Record<string, string>,
    private readonly services: { redis: PrivateService; postgres: PrivateService },
    private readonly prisma: PrismaClient,
    private readonly rng: Rng,
    private readonly log: (line: string) => void,
  ) {}

  async run(signal: AbortSignal, plan: { everyMs: number; minRunning: number }): Promise<void> {
    let nextKill = Date.now() + this.interval(plan.everyMs);
    let epochsAtRedisBack: number | null = null;
    let postgresDone = false;
    while (!signal.aborted) {
      await sleep(POLL_MS, signal);
      const progress = signal.aborted ? null : await readProgress(this.prisma);
      if (!progress) continue;
      if (epochsAtRedisBack === null && progress.running >= plan.minRunning && progress.midTraining >= 1) {
        await this.outage('Redis restarted empty', this.services.redis, progress, 'no persistence: every job, lock and counter is gone');
        epochsAtRedisBack = (await readProgress(this.prisma))?.epochsStored ?? progress.epochsStored;
      } else if (epochsAtRedisBack !== null && !postgresDone && progress.epochsStored > epochsAtRedisBack && progress.midTraining >= 1) {
        await this.outage('Postgres restarted', this.services.postgres, progress, 'pg_ctl stop -m fast, then start');
        postgresDone = true;
      } else if (Date.now() >= nextKill && (progress.busy.length || progress.processingDatasets)) {
        await this.killOne(progress);
        nextKill = Date.now() + this.interval(plan.everyMs);
      }
    }
  }

  private interval(everyMs: number): number {
    return everyMs * (0.5 + this.rng());
  }

  private async outage(kind: Fault['kind'], service: PrivateService, hit: Progress, detail: string): Promise<void> {
    const at = Date.now();
    this.log(`${kind}: stopping, with ${describe(hit)}`);
    await service.stop();
    await sleep(DOWN_MS);
    await service.start();
    this.faults.push({ kind, at, outageUntil: Date.now() + RECOVERY_MS, hit, detail });
    this.log(`${kind}: back after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  }

  /** SIGKILLs a worker that is training a run (else one that may be preprocessing) and starts another in its place. */
  private async killOne(hit: Progress): Promise<void> {
    const live = this.workers.filter((w) => w.running);
    const training = live.filter((w) => hit.busy.some((b) => b.pid === w.child.pid));
    const pool = training.length ? training : live;
    const victim = pool[Math.floor(this.rng() * pool.length)];
    if (victim) {
      const job = hit.busy.find((b) => b.pid === victim.child.pid);
      const doing = job
        ? `training run ${job.runId.slice(0, 8)} with ${job.epoch}/${job.epochs} epochs stored`
        : hit.processingDatasets ? 'while datasets were processing' : 'idle: the RUNNING runs\' workers were already gone';
      await victim.kill();
      this.faults.push({ kind: 'worker SIGKILL', at: Date.now(), outageUntil: 0, hit, victim: job, detail: `${victim.name} (pid ${victim.child.pid}) ${doing}` });
      this.log(`SIGKILL ${victim.name} (pid ${victim.child.pid}) ${doing}`);
    }
    try {
      this.workers.push(await startWorker(this.env, `worker-r${++this.started}`));
    } catch (error) {
      this.log(`a replacement worker did not start: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // The listener goes with the timer: the monkey sleeps every POLL_MS on one signal.
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}
