import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/index.js';
import { Returns } from '../openapi/returns.decorator.js';
import { MetricsService } from './metrics.service.js';

// Admins only on the public port: the series name every route and worker. METRICS_PORT serves them unauthenticated.
@Roles('admin')
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Returns(HttpStatus.OK, null, { produces: 'text/plain', description: 'Prometheus text exposition format' })
  @Header('cache-control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.contentType).send(await this.metrics.metrics());
  }
}
