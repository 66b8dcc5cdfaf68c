import type { Redis } from 'ioredis';

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

  /** Listens on a connection of its own (a subscribed connection can do nothing else); returns a closer. */
  async onCancel(listener: (runId: string) => void): Promise<() => Promise<void>> {
    const subscriber = this.redis.duplicate();
    subscriber.on('message', (_channel: string, runId: string) => listener(runId));
    await subscriber.subscribe(this.channel);
    return async () => {
      await subscriber.quit();
    };
  }
}
