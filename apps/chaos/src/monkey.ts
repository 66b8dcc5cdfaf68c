import { type AppProcess, startWorker } from '#libs/launcher';
import type { Rng } from '#libs/engine';
import type { PrivateService } from '#libs/testing';

/** A fault the monkey caused, with the window in which 503s are expected from it. */
export interface Fault {
  kind: 'worker SIGKILL' | 'Redis restarted empty' | 'Postgres restarted';
  at: number;
  /** Until when the API may answer 503 because of it (0 for a worker kill: those must cost no 5xx). */
  outageUntil: number;
  detail: string;
}

// After a service is back, clients may still meet a dropped pooled connection for a moment.
const RECOVERY_MS = 10_000;
const DOWN_MS = 3_000;

/** SIGKILLs workers at random and restarts Redis (empty) and Postgres once each, until told to stop. */
export class ChaosMonkey {
  readonly faults: Fault[] = [];
  private started = 0;

  constructor(
    readonly workers: AppProcess[],
    private readonly env: Record<string, string>,
    private readonly services: { redis: PrivateService; postgres: PrivateService },
    private readonly rng: Rng,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs faults every `everyMs` (± half), Redis at `redisAtMs` and Postgres at `postgresAtMs` after it starts. */
  async run(signal: AbortSignal, plan: { everyMs: number; redisAtMs: number; postgresAtMs: number }): Promise<void> {
    const begin = Date.now();
    let redisDone = false;
    let postgresDone = false;
    while (!signal.aborted) {
      await sleep(plan.everyMs * (0.5 + this.rng()), signal);
      if (signal.aborted) break;
      const elapsed = Date.now() - begin;
      if (!redisDone && elapsed >= plan.redisAtMs) {
        redisDone = true;
        await this.outage('Redis restarted empty', this.services.redis, 'no persistence: every job, lock and counter is gone');
      } else if (!postgresDone && elapsed >= plan.postgresAtMs) {
        postgresDone = true;
        await this.outage('Postgres restarted', this.services.postgres, 'pg_ctl stop -m fast, then start');
      } else {
        await this.killOne();
      }
    }
    // Whatever the last step was, leave both services up.
    if (!redisDone) await this.outage('Redis restarted empty', this.services.redis, 'at the end, as it had not come up yet');
    if (!postgresDone) await this.outage('Postgres restarted', this.services.postgres, 'at the end, as it had not come up yet');
  }

  private async outage(kind: Fault['kind'], service: PrivateService, detail: string): Promise<void> {
    const at = Date.now();
    this.log(`${kind}: stopping`);
    await service.stop();
    await sleep(DOWN_MS);
    await service.start();
    this.faults.push({ kind, at, outageUntil: Date.now() + RECOVERY_MS, detail });
    this.log(`${kind}: back after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  }

  /** SIGKILLs one live worker and starts another in its place, so three keep running. */
  private async killOne(): Promise<void> {
    const live = this.workers.filter((w) => w.running);
    const victim = live[Math.floor(this.rng() * live.length)];
    if (victim) {
      await victim.kill();
      this.faults.push({ kind: 'worker SIGKILL', at: Date.now(), outageUntil: 0, detail: `${victim.name} (pid ${victim.child.pid})` });
      this.log(`SIGKILL ${victim.name} (pid ${victim.child.pid})`);
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
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
