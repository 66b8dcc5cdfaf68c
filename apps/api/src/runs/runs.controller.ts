import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { type CreateRunDto, CreateRunSchema } from './create-run.dto.js';
import { type ListRunsQuery, ListRunsSchema } from './list-runs.dto.js';
import { RunsService } from './runs.service.js';

@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  create(@Body({ schema: CreateRunSchema }) dto: CreateRunDto) {
    return this.runs.create(dto);
  }

  @Post(':id/cancel')
  cancel(@Param('id', { schema: z.uuid() }) id: string) {
    return this.runs.cancel(id);
  }

  @Get()
  list(@Query({ schema: ListRunsSchema }) query: ListRunsQuery) {
    return this.runs.list(query);
  }

  @Get(':id')
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.runs.get(id);
  }
}
