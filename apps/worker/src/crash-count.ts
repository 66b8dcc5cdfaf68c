import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Counts the workers that died holding a job since it last made progress. BullMQ counts every stall of a
 * job (`stalledCounter`); this keeps, beside it, the count at the job's last progress, so a long run that
 * survives many unrelated kills is not failed while one that kills every worker before its first epoch is.
 * It lives in Redis with the job, so a Redis that loses its data loses both counts together.
 */
export class CrashCount {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:crash-base`;
  }

  private field(job: Job): string {
    return `${job.queueName}:${job.id}`;
  }

  async of(job: Job): Promise<number> {
    const base = Number((await this.redis.hget(this.key, this.field(job))) ?? 0);
    return Math.max(0, job.stalledCounter - base);
  }

  /** The job moved forward (e.g. an epoch was stored): crashes before now no longer count against it. */
  async progressed(job: Job): Promise<void> {
    await this.redis.hset(this.key, this.field(job), job.stalledCounter);
  }

  async forget(job: Job): Promise<void> {
    await this.redis.hdel(this.key, this.field(job));
  }
}
