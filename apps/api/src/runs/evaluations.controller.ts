import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EvaluationViewSchema } from '#libs/contracts';
import { Returns } from '../openapi/returns.decorator.js';
import { EvaluationsService } from './evaluations.service.js';

@ApiTags('runs')
@Controller('runs')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  /** The run's model on its dataset's test split: accuracy, loss, confusion matrix, per-class scores, mistakes. */
  @Get(':id/evaluation')
  @Returns(HttpStatus.OK, EvaluationViewSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT] })
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.evaluations.get(id);
  }
}
