import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, RunStatus } from '#libs/database';
import { JobQueue, RunEvents } from '#libs/queue';
import { RunHolds } from './run-holds.js';

/**
 * A sweep's maxParallel, held the way RunQuota holds a key's runs: the API stores runs past the limit QUEUED
 * with no job, marked heldBySweep. A run holds a slot from its release until it ends, so at most maxParallel
 * of a sweep's runs are RUNNING at once; released runs keep their place in the queue (see queuePriority).
 * Releasing takes the sweep's row lock, so two workers never hand out the same slot and none is handed out
 * once the sweep is cancelled. A release whose job was not queued (Redis down) is queued by the reconciler.
 */
@Injectable()
export class SweepLimit extends RunHolds {
  protected readonly logger = new Logger('SweepLimit');

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    private readonly events: RunEvents,
  ) {
    super();
  }

  /** Queues, lowest index first, as many held runs of each sweep as it has free slots; returns their ids. */
  async release(): Promise<string[]> {
    const sweeps = await this.prisma.run.findMany({ where: { heldBySweep: true, status: RunStatus.QUEUED }, distinct: ['sweepId'], select: { sweepId: true } });
    const released: string[] = [];
    for (const { sweepId } of sweeps) if (sweepId) released.push(...(await this.releaseSweep(sweepId)));
    return released;
  }

  private async releaseSweep(sweepId: string): Promise<string[]> {
    const runs = await this.prisma.$transaction(async (tx) => {
      // The row lock; a cancel that committed first leaves nothing to release.
      const locked = await tx.sweep.updateMany({ where: { id: sweepId, cancelledAt: null }, data: { updatedAt: new Date() } });
      if (locked.count === 0) return [];
      const { maxParallel } = await tx.sweep.findUniqueOrThrow({ where: { id: sweepId }, select: { maxParallel: true } });
      const holding = await tx.run.count({ where: { sweepId, heldBySweep: false, status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] } } });
      if (holding >= maxParallel) return [];
      const next = await tx.run.findMany({
        where: { sweepId, heldBySweep: true, status: RunStatus.QUEUED },
        orderBy: { sweepIndex: 'asc' },
        take: maxParallel - holding,
        select: { id: true, priority: true, seq: true, requiresGpu: true, attempt: true },
      });
      await tx.run.updateMany({ where: { id: { in: next.map((r) => r.id) } }, data: { heldBySweep: false } });
      await tx.runEvent.createMany({
        data: next.map((r) => ({ runId: r.id, fromStatus: RunStatus.QUEUED, toStatus: RunStatus.QUEUED, attempt: r.attempt, message: `released: a slot of its sweep came free (${holding} of ${maxParallel} taken)` })),
      });
      return next;
    });
    runs.forEach((run) => this.events.announce(run.id));
    for (const run of runs) await this.jobs.enqueueRun(run);
    return runs.map((run) => run.id);
  }
}
