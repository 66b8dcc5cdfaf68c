import type { Logger, OnModuleDestroy } from '@nestjs/common';

/** How often held runs are looked at, besides right after a run ends on this worker. */
const RELEASE_INTERVAL_MS = 5_000;

/**
 * Runs kept QUEUED with no job until a slot frees — a key's quota (RunQuota), a sweep's maxParallel
 * (SweepLimit) — are released by each worker every few seconds and right after one of its runs ends.
 */
export abstract class RunHolds implements OnModuleDestroy {
  protected abstract readonly logger: Logger;
  private timer?: NodeJS.Timeout;

  /** Queues the held runs that may go now; returns their ids. */
  abstract release(): Promise<string[]>;

  /** False when nothing can be held (no limit configured): no timer then. */
  protected get active(): boolean {
    return true;
  }

  start(): void {
    if (this.active) this.timer = setInterval(() => void this.releaseQuietly(), RELEASE_INTERVAL_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** For callers that must not fail because a release did: the next pass tries again. */
  async releaseQuietly(): Promise<void> {
    await this.release().catch((e: Error) => this.logger.warn(`release skipped: ${e.message}`));
  }
}
