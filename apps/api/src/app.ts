import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiConfig } from './api.config.js';
import { AppModule } from './app.module.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { validationPipe } from './http/validation.pipe.js';

/** Builds the HTTP app with its app-wide pipe and filter; main.ts and the tests both start it here. */
export async function createApp(config: ApiConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  return app;
}
