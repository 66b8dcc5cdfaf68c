import type { Job } from 'bullmq';
import type { JobData, JobName } from '#libs/contracts';

export interface JobContext {
  /** BullMQ's lock token for this delivery of the job. */
  token: string | undefined;
  /** Aborted when the worker is shutting down: stop, save what can be saved, hand the job back. */
  signal: AbortSignal;
  /** Tells the runner the job moved forward, so worker crashes before now stop counting against it. */
  progressed: () => Promise<void>;
}

/**
 * One handler per job name; the runner refuses to start if a name has none or two. A handler returns or
 * throws (`UnrecoverableError` when retrying cannot help); the runner alone decides whether the job runs
 * again, and calls `onFinalFailure` once it will not.
 */
export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  /** What it resolves with becomes the job's return value (a parent job reads its children's). */
  handle(job: Job<JobData<N>>, context: JobContext): Promise<unknown>;
  /** Marks the job's row FAILED with `reason` unless it already ended; may run on any worker, more than once. */
  onFinalFailure(job: Job<JobData<N>>, reason: string): Promise<void>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
