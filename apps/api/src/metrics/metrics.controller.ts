import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/index.js';
import { MetricsService } from './metrics.service.js';

// Admins only on the public port: the series name every route and worker. METRICS_PORT serves them unauthenticated.
@Roles('admin')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.contentType).send(await this.metrics.metrics());
  }
}
