import { Inject, Injectable, Logger } from '@nestjs/common';
import pg from 'pg';
import type { Job } from 'bullmq';
import { JobName, JOBS } from '#libs/contracts';
import { DatasetStatus, liveWorkersWhere, parseDatabaseUrl, PrismaService, RunStatus } from '#libs/database';
import { JobQueue } from '#libs/queue';
import { JobRunner } from '../job-runner.service.js';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';

/** What one pass changed: rows whose jobs were queued again, and rows failed because their job had failed. */
export interface ReconcileReport {
  requeued: string[];
  failed: string[];
}

/**
 * Makes Redis agree with Postgres again after Redis lost jobs (a restart without its data, a flush): every
 * QUEUED run and PENDING/PROCESSING dataset whose job is gone is queued again, and every RUNNING run whose
 * worker is gone too (the next worker resumes it from its newest checkpoint). Every worker runs one, but only
 * the holder of a Postgres advisory lock acts, so passes never race; a pass changes nothing on a healthy system.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger('Reconciler');
  private timer?: NodeJS.Timeout;
  private session?: pg.Client;
  private busy = false;
  private readonly lockKey: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    private readonly runner: JobRunner,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.lockKey = `trainyard-reconciler:${parseDatabaseUrl(config.DATABASE_URL).schema}:${config.QUEUE_PREFIX}`;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.dropSession();
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (!(await this.lead())) return;
      const report = await this.pass();
      if (report.requeued.length || report.failed.length) {
        this.logger.log(`queued again: ${report.requeued.join(', ') || 'none'}; failed with their job: ${report.failed.join(', ') || 'none'}`);
      }
    } catch (error) {
      this.logger.warn(`pass skipped: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  /** Holds the advisory lock on a session of its own: it is released when this process or its connection dies. */
  private async lead(): Promise<boolean> {
    try {
      if (!this.session) {
        const session = new pg.Client({ connectionString: parseDatabaseUrl(this.config.DATABASE_URL).connectionString, connectionTimeoutMillis: 5_000 });
        session.on('error', () => void this.dropSession());
        await session.connect();
        this.session = session;
      }
      const { rows } = await this.session.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [this.lockKey]);
      return rows[0]!.held;
    } catch (error) {
      await this.dropSession();
      throw error;
    }
  }

  private async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.end().catch(() => undefined);
  }

  /** One look at every unfinished row; public so a test can run a pass at a moment of its choosing. */
  async pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { requeued: [], failed: [] };
    const [runs, datasets, live] = await Promise.all([
      // A run held by its key's quota or its sweep has no job on purpose: RunQuota or SweepLimit queues it when a slot frees.
      this.prisma.run.findMany({
        where: { status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] }, heldByQuota: false, heldBySweep: false },
        select: { id: true, status: true, priority: true, seq: true, requiresGpu: true },
        orderBy: { seq: 'asc' },
      }),
      this.prisma.dataset.findMany({ where: { status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } }, select: { id: true }, orderBy: { createdAt: 'asc' } }),
      this.prisma.worker.findMany({ where: liveWorkersWhere(), select: { currentJob: true } }),
    ]);
    // A live worker training a run keeps it even if Redis forgot the job: it still finishes it in Postgres.
    const held = new Set(live.flatMap((w) => (w.currentJob ?? '').split(',')));
    for (const run of runs) {
      if (run.status === RunStatus.RUNNING && held.has(`${JobName.TrainRun}:${run.id}`)) continue;
      // A run's job lives in the queue its requirements pick, at its place in the order (JobQueue.enqueueRun).
      await this.ensureJob(run.id, await this.jobs.runJob(run), () => this.jobs.enqueueRun(run), report);
    }
    for (const { id } of datasets) {
      const { queue } = JOBS[JobName.PreprocessDataset];
      await this.ensureJob(id, await this.jobs.queue(queue).getJob(id), () => this.jobs.enqueue(JobName.PreprocessDataset, { datasetId: id }), report);
    }
    return report;
  }

  /** Queues the row's job again if Redis has none that will run; ends the row if its job failed for good. */
  private async ensureJob(id: string, job: Job | undefined, enqueue: () => Promise<void>, report: ReconcileReport): Promise<void> {
    const state = job ? await job.getState() : 'unknown';
    if (job && state === 'failed') {
      await this.runner.failFinally(job, job.failedReason || 'its job failed');
      report.failed.push(id);
      return;
    }
    if (job && state !== 'completed' && state !== 'unknown') return; // waiting, delayed, active, or waiting for its chunks
    // A finished job with an unfinished row was lost half-way (BullMQ keeps finished ids, and would ignore a re-add).
    if (job) await job.remove();
    await enqueue();
    report.requeued.push(id);
  }
}
