import { type Job, type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, type JobData, JobName, QueueName, type QueuedRun, queuePriority, trainQueueOf } from '#libs/contracts';
import { FAIL_FAST_MS } from './redis.js';

/** How every job is retried and cleaned up; a worker that dies counts as a stall, not an attempt. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

/** Redis did not take a job: the caller answers 503 and keeps nothing that waits for it. */
export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';

  constructor(cause: Error) {
    super(`Redis does not answer (${cause.message}); try again shortly`, { cause });
    this.name = 'QueueUnavailableError';
  }
}

/** Settles with `work`, or throws QueueUnavailableError once Redis has not answered within FAIL_FAST_MS. */
async function failFast(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${FAIL_FAST_MS} ms`)), FAIL_FAST_MS);
  });
  try {
    await Promise.race([work, timeout]);
  } catch (error) {
    throw new QueueUnavailableError(error as Error);
  } finally {
    clearTimeout(timer);
  }
}

/** The producer side: enqueues typed jobs with the row id as the BullMQ job id. */
export class JobQueue {
  private readonly queues: Map<QueueName, Queue>;

  constructor(
    connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = new Map(
      Object.values(QueueName).map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS })]),
    );
  }

  /** Adds the job, or throws QueueUnavailableError within FAIL_FAST_MS (on a fail-fast connection) when Redis is down. */
  async enqueue<N extends JobName>(name: N, data: JobData<N>): Promise<void> {
    const job = JOBS[name];
    await failFast(this.queue(job.queue).add(name, data, { jobId: job.idOf(data) }));
  }

  /** Queues a run's job where its requirements send it, at its place in the order (see queuePriority). */
  async enqueueRun(run: QueuedRun): Promise<void> {
    await failFast(
      (async () => {
        // BullMQ ignores an id it still keeps a finished job under: a run queued again (after a hold) needs it gone.
        const finished = await this.runJob(run);
        if (finished && ((await finished.isCompleted()) || (await finished.isFailed()))) await finished.remove();
        await this.queue(trainQueueOf(run)).add(JobName.TrainRun, { runId: run.id }, { jobId: run.id, priority: queuePriority(run.priority, run.seq) });
      })(),
    );
  }

  /** A run's job, wherever its requirements queued it; undefined once it is gone. */
  runJob(run: Pick<QueuedRun, 'id' | 'requiresGpu'>): Promise<Job | undefined> {
    return this.queue(trainQueueOf(run)).getJob(run.id);
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Unknown queue ${name}`);
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
