import { type Job, UnrecoverableError, WaitingChildrenError, WaitingError, DelayedError } from 'bullmq';

/** Errors that only say "this delivery is parked", not that the job failed. */
export function isParked(error: unknown): boolean {
  return error instanceof WaitingError || error instanceof WaitingChildrenError || error instanceof DelayedError;
}

/** True when the job must not run again: a permanent error, or BullMQ's attempts are used up. */
export function isFinal(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** What a run or dataset says when its job kept killing the worker that ran it. */
export function crashReason(crashes: number): string {
  return `the worker stopped ${crashes} times while running this job: out of memory or a native crash?`;
}
