import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HeartbeatService } from './heartbeat.service.js';
import { JobRunner } from './job-runner.service.js';
import { loadWorkerConfig } from './worker.config.js';
import { WorkerIdentity } from './worker-identity.js';
import { WorkerModule } from './worker.module.js';

// A worker has no HTTP server: it pulls jobs from Redis and writes results to Postgres.
const config = loadWorkerConfig();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
app.enableShutdownHooks();
const identity = app.get(WorkerIdentity);
await identity.detectBackend();
await app.get(HeartbeatService).start();
app.get(JobRunner).start();
Logger.log(`worker ${identity.id} ready (backend ${identity.backend}, ${identity.device})`, 'Main');
