import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { QueueName } from '#libs/contracts';
import { PrismaService, RunStatus } from '#libs/database';
import { METRIC, mergeExpositions, type MetricsSource } from '#libs/metrics';
import { JobQueue } from '#libs/queue';

/** The API's Prometheus series: HTTP latency per route, runs per status, and BullMQ's queue depths. */
@Injectable()
export class MetricsService implements MetricsSource {
  // One registry per app, not prom-client's global one, so several apps in one test process do not collide.
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly http = new Histogram({
    name: METRIC.httpDuration,
    help: 'HTTP requests by method, route pattern and status, in seconds',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const prismaRef = this.prisma;
    new Gauge({
      name: METRIC.runs,
      help: 'Runs per status, from Postgres',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const groups = await prismaRef.run.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of Object.values(RunStatus)) this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  async metrics(): Promise<string> {
    const queues = await Promise.all(Object.values(QueueName).map((name) => this.jobs.queue(name).exportPrometheusMetrics()));
    return mergeExpositions([await this.registry.metrics(), ...queues]);
  }
}
