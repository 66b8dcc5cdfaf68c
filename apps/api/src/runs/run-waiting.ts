import { Inject, Injectable } from '@nestjs/common';
import { RUN_PRIORITIES, type RunPriority } from '#libs/contracts';
import { liveWorkersWhere, PrismaService, type Run, RunStatus } from '#libs/database';
import { API_CONFIG, type ApiConfig } from '../api.config.js';

/** Why a QUEUED run has not started: its place in its queue, and what it waits for. */
export interface RunWaiting {
  /** 1 for the next run its queue hands out; held runs count in their place too. */
  position: number;
  reason: string;
}

@Injectable()
export class RunWaitingService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async explain(run: Run): Promise<RunWaiting | null> {
    if (run.status !== RunStatus.QUEUED) return null;
    const higher = RUN_PRIORITIES.slice(0, RUN_PRIORITIES.indexOf(run.priority as RunPriority));
    // The order the queue hands runs out in: priority class, then submission (see queuePriority).
    const ahead = await this.prisma.run.count({
      where: {
        status: RunStatus.QUEUED,
        requiresGpu: run.requiresGpu,
        OR: [{ priority: { in: higher } }, { priority: run.priority, seq: { lt: run.seq } }],
      },
    });
    return { position: ahead + 1, reason: await this.reason(run, ahead) };
  }

  private async reason(run: Run, ahead: number): Promise<string> {
    if (run.heldByQuota && run.createdById) {
      const running = await this.prisma.run.count({ where: { createdById: run.createdById, status: RunStatus.RUNNING } });
      return `key quota: ${running} of ${this.config.MAX_RUNNING_RUNS_PER_KEY} running`;
    }
    if (run.heldBySweep && run.sweepId) {
      // A slot is held from release to end, so a released run that has not started yet counts as running here.
      const [sweep, running] = await Promise.all([
        this.prisma.sweep.findUnique({ where: { id: run.sweepId }, select: { maxParallel: true } }),
        this.prisma.run.count({ where: { sweepId: run.sweepId, heldBySweep: false, status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] } } }),
      ]);
      return `sweep limit: ${running} of ${sweep?.maxParallel ?? running} running`;
    }
    const live = await this.prisma.worker.findMany({
      where: liveWorkersWhere(),
      select: { gpu: true, currentJob: true },
    });
    if (live.length === 0) return 'no worker is online';
    const able = run.requiresGpu ? live.filter((w) => w.gpu) : live;
    if (able.length === 0) return 'no worker with a GPU is online';
    if (ahead > 0) return `${ahead} run${ahead === 1 ? '' : 's'} ahead in the queue`;
    return able.some((w) => !w.currentJob) ? 'next: a worker is about to take it' : `next: all ${able.length} able worker${able.length === 1 ? ' is' : 's are'} busy`;
  }
}
