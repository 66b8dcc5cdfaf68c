import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HeartbeatService } from './heartbeat.service.js';
import { JobRunner } from './job-runner.service.js';
import { Reconciler } from './reconciler/reconciler.service.js';
import { Cancellations } from './train/cancellations.js';
import { RunQuota } from './train/run-quota.js';
import { closeTrainingThreads, warmTrainingThreads } from './train/training-thread.js';
import { SweepLimit } from './train/sweep-limit.js';
import { WorkerIdentity } from './worker-identity.js';
import { WorkerMetrics } from './worker-metrics.js';

/**
 * Starts the worker's parts in order and stops them in reverse. Stopping runs before Nest's
 * application-shutdown hooks, so jobs are handed back while Postgres and Redis are still connected.
 */
@Injectable()
export class WorkerLifecycle implements BeforeApplicationShutdown {
  constructor(
    private readonly identity: WorkerIdentity,
    private readonly heartbeat: HeartbeatService,
    private readonly cancellations: Cancellations,
    private readonly runner: JobRunner,
    private readonly metrics: WorkerMetrics,
    private readonly quota: RunQuota,
    private readonly sweeps: SweepLimit,
    private readonly reconciler: Reconciler,
  ) {}

  async start(): Promise<void> {
    await this.identity.detectBackend();
    warmTrainingThreads(this.identity.config.TRAIN_CONCURRENCY, this.identity.config.TRAIN_BACKEND);
    await this.heartbeat.start();
    await this.metrics.start();
    await this.cancellations.start();
    this.runner.start();
    this.quota.start();
    this.sweeps.start();
    this.reconciler.start();
    Logger.log(`worker ${this.identity.id} ready (backend ${this.identity.backend}, ${this.identity.device})`, 'Worker');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    Logger.log(`stopping (${signal ?? 'close'}): handing running jobs back`, 'Worker');
    await this.reconciler.stop();
    await this.runner.stop();
    await this.cancellations.stop();
    await this.heartbeat.stop();
    await this.metrics.stop();
    await closeTrainingThreads();
  }
}
