import { Controller, Get, Param } from '@nestjs/common';
import { z } from 'zod';
import { EvaluationsService } from './evaluations.service.js';

@Controller('runs')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  /** The run's model on its dataset's test split: accuracy, loss, confusion matrix, per-class scores, mistakes. */
  @Get(':id/evaluation')
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.evaluations.get(id);
  }
}
