import type { INestApplication } from '@nestjs/common';
import helmet from 'helmet';
import type { ApiConfig } from '../api.config.js';

/** Standard security headers on every answer, and CORS only for the origins configured. */
export function applyHttpEdge(app: INestApplication, config: ApiConfig): void {
  app.use(helmet());
  if (config.CORS_ORIGINS.length === 0) return;
  app.enableCors({
    origin: config.CORS_ORIGINS,
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining'],
    maxAge: 600,
  });
}
