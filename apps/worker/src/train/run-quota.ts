import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Prisma, PrismaService, type Run, RunStatus } from '#libs/database';
import { JobQueue } from '#libs/queue';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';
import { RunHolds } from './run-holds.js';

/**
 * The per-key limit on RUNNING runs (MAX_RUNNING_RUNS_PER_KEY). A claim over the limit holds the run: it stays
 * QUEUED with no job, marked heldByQuota. Runs are released in queue order (priority, then submission) as the
 * key's runs end, and keep their place in the queue (see queuePriority). Releasing is idempotent and races are
 * harmless: a released run is checked again when it is claimed.
 */
@Injectable()
export class RunQuota extends RunHolds {
  protected readonly logger = new Logger('Quota');

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    super();
  }

  private get limit(): number {
    return this.config.MAX_RUNNING_RUNS_PER_KEY;
  }

  protected override get active(): boolean {
    return this.limit > 0;
  }

  /** Inside a claim's transaction: holds a queued run whose key is at its limit, and says so. */
  async holdIfFull(tx: Prisma.TransactionClient, run: Run): Promise<boolean> {
    if (!this.limit || !run.createdById || run.status !== RunStatus.QUEUED) return false;
    // One claim per key at a time, so two workers cannot both see the last free slot.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`trainyard-quota:${run.createdById}`}))`;
    const running = await tx.run.count({ where: { createdById: run.createdById, status: RunStatus.RUNNING } });
    if (running < this.limit) return false;
    await tx.run.update({ where: { id: run.id }, data: { heldByQuota: true } });
    await tx.runEvent.create({
      data: { runId: run.id, fromStatus: RunStatus.QUEUED, toStatus: RunStatus.QUEUED, attempt: run.attempt, message: `held: key quota, ${running} of ${this.limit} running` },
    });
    return true;
  }

  /** Queues held runs again, first in queue order, for every key that runs fewer runs than it may. */
  async release(): Promise<string[]> {
    if (!this.limit) return [];
    const held = await this.prisma.run.findMany({
      where: { heldByQuota: true, status: RunStatus.QUEUED },
      orderBy: [{ priority: 'asc' }, { seq: 'asc' }],
      select: { id: true, createdById: true, priority: true, seq: true, requiresGpu: true },
    });
    const released: string[] = [];
    for (const key of new Set(held.map((r) => r.createdById))) {
      const running = await this.prisma.run.count({ where: { createdById: key, status: RunStatus.RUNNING } });
      for (const run of held.filter((r) => r.createdById === key).slice(0, Math.max(0, this.limit - running))) {
        const taken = await this.prisma.run.updateMany({ where: { id: run.id, heldByQuota: true }, data: { heldByQuota: false } });
        if (taken.count === 0) continue;
        await this.jobs.enqueueRun(run);
        released.push(run.id);
      }
    }
    return released;
  }
}
