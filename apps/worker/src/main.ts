import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadWorkerConfig } from './worker.config.js';
import { WorkerLifecycle } from './worker-lifecycle.js';
import { WorkerModule } from './worker.module.js';

// A worker has no HTTP server: it pulls jobs from Redis and writes results to Postgres.
const config = loadWorkerConfig();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
app.useLogger(app.get(Logger));
app.enableShutdownHooks();
await app.get(WorkerLifecycle).start();
