import type { Job } from 'bullmq';

/** True when BullMQ will not retry this job if the current attempt fails. */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
