import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, JobName, QueueName } from '#libs/contracts';
import { withLogFields } from '#libs/logging';
import { isDatabaseUnavailable, PrismaService } from '#libs/database';
import { REDIS } from '#libs/queue';
import { CrashCount } from './crash-count.js';
import { crashReason, isFinal, isParked } from './failure-policy.js';
import { HeartbeatService } from './heartbeat.service.js';
import { JOB_HANDLERS, type JobHandler } from './job-handler.js';
import { WorkerIdentity } from './worker-identity.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';

/** Pulls jobs from every queue and hands each to the one handler for its name. */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');
  private readonly handlers: Map<JobName, JobHandler>;
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly shutdown = new AbortController();
  private readonly crashes: CrashCount;

  constructor(
    @Inject(JOB_HANDLERS) handlers: JobHandler[],
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly heartbeat: HeartbeatService,
    private readonly identity: WorkerIdentity,
    private readonly prisma: PrismaService,
  ) {
    this.handlers = indexHandlers(handlers);
    this.crashes = new CrashCount(redis, config.QUEUE_PREFIX);
  }

  start(): void {
    const concurrency: Record<QueueName, number> = {
      [QueueName.Preprocess]: this.config.PREPROCESS_CONCURRENCY,
      [QueueName.Train]: this.config.TRAIN_CONCURRENCY,
      [QueueName.TrainGpu]: this.config.TRAIN_CONCURRENCY,
    };
    for (const queue of queuesFor(this.identity.gpu)) {
      // Each worker blocks on its own connection, closed here after the worker, never before.
      const connection = this.redis.duplicate();
      this.connections.push(connection);
      // Every line logged for a job carries its ids (runId or datasetId), wherever it is logged from.
      const worker = new Worker(queue, (job, token) => withLogFields({ job: job.name, ...job.data }, () => this.process(job, token)), {
        connection,
        prefix: this.config.QUEUE_PREFIX,
        concurrency: concurrency[queue],
        // A worker that dies mid-job shows up as a stall and its job goes back to the queue; process()
        // counts those crashes against JOB_CRASH_LIMIT itself, so BullMQ's own limit must never come first.
        maxStalledCount: 1_000_000,
        lockDuration: this.config.JOB_LOCK_MS,
        stalledInterval: this.config.JOB_LOCK_MS,
      });
      worker.on('failed', (job, error) => {
        this.logger.warn(`${job?.name} ${job?.id} failed: ${error.message}`);
        // BullMQ fails some jobs without running them (a parent whose child failed): their rows end here.
        if (job?.deferredFailure) this.failFinally(job, job.deferredFailure).catch((e: Error) => this.logger.error(e.message));
      });
      worker.on('error', (error) => this.logger.error(error.message));
      this.workers.push(worker);
    }
  }

  /** The one place that decides whether a job runs again; the handler only says what happened. */
  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new UnrecoverableError(`No handler for job ${job.name}`);
    const crashes = await this.crashes.of(job);
    if (crashes >= this.config.JOB_CRASH_LIMIT) {
      const reason = crashReason(crashes);
      await this.failFinally(job, reason);
      throw new UnrecoverableError(reason);
    }
    const done = this.heartbeat.track(`${job.name}:${job.id}`);
    try {
      const result = await handler.handle(job, { token, signal: this.shutdown.signal, progressed: () => this.crashes.progressed(job) });
      await this.crashes.forget(job);
      return result;
    } catch (error) {
      if (isParked(error)) throw error;
      if (isDatabaseUnavailable(error)) return this.waitOutDatabase(job, token, error as Error);
      if (!isFinal(job, error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await this.failFinally(job, message);
      throw error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
    } finally {
      done();
    }
  }

  /** Ends the job's row FAILED through its handler; the reconciler calls it too, for a job that failed unseen. */
  async failFinally(job: Job, reason: string): Promise<void> {
    await this.handlers.get(job.name as JobName)?.onFinalFailure(job, reason);
    await this.crashes.forget(job);
  }

  /**
   * Postgres went away under the job: that is not the job's fault, so it costs no attempt. The job stays
   * locked here until Postgres answers again, then goes back to the queue; the next claim resumes it from
   * its newest stored state (a run from its checkpoint, dropping metrics written after it).
   */
  private async waitOutDatabase(job: Job, token: string | undefined, error: Error): Promise<never> {
    this.logger.warn(`${job.name} ${job.id}: Postgres unreachable (${error.message.split('\n').at(-1)}); waiting for it`);
    while (!this.shutdown.signal.aborted) {
      if (await this.prisma.$queryRaw`SELECT 1`.then(() => true, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }

  /** Tells running handlers to hand their jobs back, then waits for them before closing. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(this.connections.map((connection) => connection.quit()));
  }
}

/** The queues a worker takes jobs from: runs that need a GPU only where the backend runs on one. */
export function queuesFor(gpu: boolean): QueueName[] {
  return Object.values(QueueName).filter((queue) => gpu || queue !== QueueName.TrainGpu);
}

/** Every job name must have exactly one handler, or the worker must not start. */
export function indexHandlers(handlers: JobHandler[]): Map<JobName, JobHandler> {
  const byName = new Map<JobName, JobHandler>();
  for (const handler of handlers) {
    if (byName.has(handler.name)) throw new Error(`Two handlers for job ${handler.name}`);
    byName.set(handler.name, handler);
  }
  const missing = (Object.keys(JOBS) as JobName[]).filter((name) => !byName.has(name));
  if (missing.length) throw new Error(`No handler for job(s) ${missing.join(', ')}`);
  return byName;
}
