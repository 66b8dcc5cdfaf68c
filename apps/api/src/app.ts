import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { type ApiConfig } from './api.config.js';
import { AppModule } from './app.module.js';
import { serveDashboard } from './dashboard/dashboard.js';
import { applyHttpEdge } from './http/http-edge.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { validationPipe } from './http/validation.pipe.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { MetricsService } from './metrics/metrics.service.js';
import { mountQueueBoard } from './queues/queue-board.js';
import { serveOpenApi } from './openapi/openapi.js';

/** Builds the HTTP app with its app-wide pipe and filter; main.ts and the tests both start it here. */
export async function createApp(config: ApiConfig): Promise<INestApplication> {
  // Buffered until pino takes over, so even start-up lines come out in the configured format.
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.use(httpMetrics(app.get(MetricsService)));
  applyHttpEdge(app, config);
  mountQueueBoard(app);
  serveDashboard(app);
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  serveOpenApi(app);
  return app;
}
