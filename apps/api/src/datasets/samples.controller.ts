import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { SamplesService } from './samples.service.js';

const SampleQuerySchema = z.strictObject({ format: z.enum(['json', 'csv', 'png']).default('json') });

/** One preprocessed sample as the network sees it: a PNG, or its activations as JSON or CSV (one row per pixel row). */
@Controller('datasets/:id/samples')
export class SamplesController {
  constructor(private readonly samples: SamplesService) {}

  @Get(':index')
  async get(
    @Param('id', { schema: z.uuid() }) id: string,
    @Param('index', { schema: z.coerce.number().int().min(0) }) index: number,
    @Query({ schema: SampleQuerySchema }) query: z.infer<typeof SampleQuerySchema>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const sample = await this.samples.get(id, index);
    if (query.format === 'png') {
      response.type('image/png');
      return this.samples.png(sample);
    }
    return query.format === 'csv' ? this.samples.csv(sample) : this.samples.json(sample);
  }
}
