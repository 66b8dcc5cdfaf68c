import type { Redis } from 'ioredis';
import { subscribe } from './subscription.js';

/**
 * Tells every worker at once that a run was cancelled, over Redis pub/sub: the worker training it stops
 * within a batch instead of at its next database write. The row is already CANCELLED when this is sent.
 */
export class RunSignals {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get channel(): string {
    return `${this.prefix}:run-cancelled`;
  }

  /** Best effort: with Redis down the worker still stops, at its next write, which the CANCELLED row fences. */
  async announceCancel(runId: string): Promise<boolean> {
    return this.redis.publish(this.channel, runId).then(() => true, () => false);
  }

  /** Calls `listener` with the id of every cancelled run, until the returned closer is called. */
  onCancel(listener: (runId: string) => void): Promise<() => void> {
    return subscribe(this.redis, this.channel, listener);
  }
}
