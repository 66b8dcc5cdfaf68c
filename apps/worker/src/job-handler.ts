import type { Job } from 'bullmq';
import type { JobData, JobName } from '#libs/contracts';

export interface JobContext {
  /** BullMQ's lock token for this delivery of the job. */
  token: string | undefined;
  /** Aborted when the worker is shutting down: stop, save what can be saved, hand the job back. */
  signal: AbortSignal;
}

/** One handler per job name; the runner refuses to start if a name has none or two. */
export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  /** What it resolves with becomes the job's return value (a parent job reads its children's). */
  handle(job: Job<JobData<N>>, context: JobContext): Promise<unknown>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
