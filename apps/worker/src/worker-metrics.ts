import type { Server } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { PrismaService } from '#libs/database';
import { METRIC, type MetricsSource, serveMetrics } from '#libs/metrics';
import { REDIS } from '#libs/queue';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerIdentity } from './worker-identity.js';

/** This worker's own Prometheus series and health, served on `METRICS_PORT` when it is set. */
@Injectable()
export class WorkerMetrics implements MetricsSource {
  private readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly epochs = new Counter({ name: METRIC.epochs, help: 'Training epochs finished by this worker', registers: [this.registry] });
  private readonly samplesPerSecond = new Gauge({ name: METRIC.samplesPerSecond, help: "Samples per second of this worker's last epoch", registers: [this.registry] });
  private readonly images = new Counter({ name: METRIC.preprocessedImages, help: 'Images preprocessed and stored by this worker', registers: [this.registry] });
  private readonly imagesPerSecond = new Gauge({ name: METRIC.preprocessImagesPerSecond, help: "Images per second of this worker's last preprocessing chunk", registers: [this.registry] });
  private server?: Server;

  constructor(
    private readonly identity: WorkerIdentity,
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async start(): Promise<void> {
    // Labelled by worker so per-worker rates survive aggregation by a scraper that relabels pods.
    this.registry.setDefaultLabels({ worker: this.identity.id, backend: this.identity.backend });
    collectDefaultMetrics({ register: this.registry });
    if (this.config.METRICS_PORT === undefined) return;
    const { server, port } = await serveMetrics(this, this.config.METRICS_PORT);
    this.server = server;
    Logger.log(`metrics and health on :${port}`, 'Worker');
  }

  epochDone(samplesPerSecond: number): void {
    this.epochs.inc();
    this.samplesPerSecond.set(samplesPerSecond);
  }

  chunkDone(images: number, seconds: number): void {
    this.images.inc(images);
    if (seconds > 0) this.imagesPerSecond.set(images / seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Ready when both stores answer: a worker that cannot reach either cannot take or finish a job. */
  async ready() {
    const detail: Record<string, string> = {};
    await this.prisma.$queryRaw`SELECT 1`.then(() => (detail.postgres = 'up'), (e: Error) => (detail.postgres = e.message));
    await this.redis.ping().then(() => (detail.redis = 'up'), (e: Error) => (detail.redis = e.message));
    return { ok: detail.postgres === 'up' && detail.redis === 'up', detail };
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
