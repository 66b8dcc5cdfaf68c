import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { type CreateRunDto, CreateRunSchema } from './create-run.dto.js';
import { type ListRunsQuery, ListRunsSchema } from './list-runs.dto.js';
import { RunsService } from './runs.service.js';

@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @Roles('member')
  @HttpCode(HttpStatus.ACCEPTED)
  create(@Body({ schema: CreateRunSchema }) dto: CreateRunDto, @CurrentPrincipal() principal: Principal) {
    return this.runs.create(dto, principal);
  }

  /** Members cancel only runs their key submitted. */
  @Post(':id/cancel')
  @Roles('member')
  cancel(@Param('id', { schema: z.uuid() }) id: string, @CurrentPrincipal() principal: Principal) {
    return this.runs.cancel(id, principal);
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
