import { QueueName } from './jobs.js';

/** How soon a run starts relative to others: every high one before any normal one, every normal before any low. */
export const RUN_PRIORITIES = ['high', 'normal', 'low'] as const;
export type RunPriority = (typeof RUN_PRIORITIES)[number];

/** Where and when a run's job goes: what `JobQueue.enqueueRun` needs of a run row. */
export interface QueuedRun {
  id: string;
  priority: RunPriority;
  /** Submission sequence number, from Postgres: the run's place among runs of its priority. */
  seq: number;
  requiresGpu: boolean;
}

// BullMQ takes lower numbers first, up to 2^21. Each class gets a band of 2^19 places filled in submission order,
// so a run put back in the queue (held by a quota, or lost with Redis) keeps its place instead of going last.
const BAND = 2 ** 19;

/** The BullMQ priority of a run: its class, then its submission sequence number within the class. */
export function queuePriority(priority: RunPriority, seq: number): number {
  return (RUN_PRIORITIES.indexOf(priority) + 1) * BAND + (seq % BAND);
}

/** The queue a run waits in: GPU runs in their own, which only workers on a GPU take from. */
export function trainQueueOf(run: Pick<QueuedRun, 'requiresGpu'>): QueueName {
  return run.requiresGpu ? QueueName.TrainGpu : QueueName.Train;
}
