import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { HEARTBEAT_INTERVAL_MS } from '#libs/contracts';
import { PrismaService } from '#libs/database';
import { WorkerIdentity } from './worker-identity.js';

/** Keeps this worker's row fresh so GET /workers shows the live ones and what they are doing. */
@Injectable()
export class HeartbeatService {
  private readonly logger = new Logger('Heartbeat');
  private readonly jobs = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly identity: WorkerIdentity,
  ) {}

  async start(): Promise<void> {
    const { id, backend, device, gpu } = this.identity;
    await this.prisma.worker.create({ data: { id, host: hostname(), pid: process.pid, backend, device, gpu } });
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
  }

  /** Marks a job as in progress on this worker until the returned function is called. */
  track(jobId: string): () => void {
    this.jobs.add(jobId);
    void this.beat();
    return () => {
      this.jobs.delete(jobId);
      void this.beat();
    };
  }

  private async beat(): Promise<void> {
    const currentJob = [...this.jobs].join(',') || null;
    const file = this.identity.config.HEARTBEAT_FILE;
    if (file) await writeFile(file, new Date().toISOString()).catch(() => undefined);
    await this.prisma.worker
      .update({ where: { id: this.identity.id }, data: { lastHeartbeatAt: new Date(), currentJob } })
      .catch((error: Error) => this.logger.warn(`heartbeat failed: ${error.message}`));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.prisma.worker
      .update({ where: { id: this.identity.id }, data: { stoppedAt: new Date(), currentJob: null } })
      .catch(() => undefined);
  }
}
