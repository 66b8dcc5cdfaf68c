import { Logger } from '@nestjs/common';
import { serveMetrics } from '#libs/metrics';
import { loadApiConfig } from './api.config.js';
import { createApp } from './app.js';
import { MetricsService } from './metrics/metrics.service.js';

const config = loadApiConfig();
const app = await createApp(config);
await app.listen(config.PORT, '0.0.0.0');
Logger.log(`Trainyard API listening on ${await app.getUrl()}`, 'Main');
if (config.METRICS_PORT !== undefined) {
  const { port } = await serveMetrics(app.get(MetricsService), config.METRICS_PORT);
  Logger.log(`Prometheus metrics on :${port}/metrics`, 'Main');
}
