import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BlobStore } from '#libs/database';

const HOUR = 3_600_000;

/** Removes blobs a process stored but died before attaching (an upload or checkpoint cut short): at start, then hourly. */
@Injectable()
export class BlobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  private timer?: NodeJS.Timeout;

  constructor(private readonly blobs: BlobStore) {}

  onApplicationBootstrap(): void {
    const sweep = () =>
      this.blobs
        .sweep(HOUR)
        .then((count) => count && this.logger.log(`removed ${count} unattached blob(s)`))
        .catch((error: Error) => this.logger.warn(`blob sweep failed: ${error.message}`));
    void sweep();
    this.timer = setInterval(sweep, HOUR).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
