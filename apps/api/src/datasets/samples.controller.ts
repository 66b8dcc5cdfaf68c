import { Controller, Get, HttpStatus, Param, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { SampleViewSchema } from '#libs/contracts';
import { Returns } from '../openapi/returns.decorator.js';
import type { Response } from 'express';
import { z } from 'zod';
import { SamplesService } from './samples.service.js';

const SampleQuerySchema = z.strictObject({ format: z.enum(['json', 'csv', 'png']).default('json') });

/** One preprocessed sample as the network sees it: a PNG, or its activations as JSON or CSV (one row per pixel row). */
@ApiTags('datasets')
@Controller('datasets/:id/samples')
export class SamplesController {
  constructor(private readonly samples: SamplesService) {}

  @Get(':index')
  @ApiProduces('application/json', 'text/csv', 'image/png')
  @Returns(HttpStatus.OK, SampleViewSchema, { errors: [HttpStatus.NOT_FOUND], description: 'format=json; csv and png answer text/csv and image/png' })
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
