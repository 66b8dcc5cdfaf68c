import type { Redis } from 'ioredis';
import { subscribe } from './subscription.js';

/**
 * "Run X changed" (a status transition or a stored epoch), over Redis pub/sub. Only a nudge: Postgres holds
 * what changed, and a listener re-reads it there, so a lost announcement delays a reader, never misleads it.
 * Every process that writes a run's status or metrics announces it after the write commits.
 */
export class RunEvents {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get channel(): string {
    return `${this.prefix}:run-changed`;
  }

  /** Best effort and never awaited by a writer: with Redis down, readers fall back to re-reading on a timer. */
  announce(runId: string): void {
    this.redis.publish(this.channel, runId).catch(() => undefined);
  }

  /** Calls `listener` with the id of every run that changes, until the returned closer is called. */
  listen(listener: (runId: string) => void): Promise<() => void> {
    return subscribe(this.redis, this.channel, listener);
  }
}
