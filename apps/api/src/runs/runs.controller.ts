import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { RunAcceptedSchema, RunComparisonSchema, RunPageSchema, type RunSpec, RunSpecSchema, RunViewSchema } from '#libs/contracts';
import { Returns } from '../openapi/returns.decorator.js';
import { type CompareRunsQuery, CompareRunsSchema } from './compare-runs.dto.js';
import { type ListRunsQuery, ListRunsSchema } from './list-runs.dto.js';
import { RunsService } from './runs.service.js';

@ApiTags('runs')
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @Roles('member')
  @HttpCode(HttpStatus.ACCEPTED)
  @Returns(HttpStatus.ACCEPTED, RunAcceptedSchema, { errors: [HttpStatus.NOT_FOUND] })
  create(@Body({ schema: RunSpecSchema }) dto: RunSpec, @CurrentPrincipal() principal: Principal) {
    return this.runs.create(dto, principal);
  }

  /** Members cancel only runs their key submitted. */
  @Post(':id/cancel')
  @Returns(HttpStatus.CREATED, RunViewSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT], description: 'the run, CANCELLED' })
  @Roles('member')
  cancel(@Param('id', { schema: z.uuid() }) id: string, @CurrentPrincipal() principal: Principal) {
    return this.runs.cancel(id, principal);
  }

  /** Ended runs only (409 otherwise); members delete only runs their key submitted. */
  @Delete(':id')
  @Roles('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@Param('id', { schema: z.uuid() }) id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.runs.delete(id, principal);
  }

  @Get()
  @Returns(HttpStatus.OK, RunPageSchema)
  list(@Query({ schema: ListRunsSchema }) query: ListRunsQuery) {
    return this.runs.list(query);
  }

  /** Declared before `:id`, which would take "compare" for a run id. */
  @Get('compare')
  @Returns(HttpStatus.OK, RunComparisonSchema, { errors: [HttpStatus.NOT_FOUND] })
  compare(@Query({ schema: CompareRunsSchema }) query: CompareRunsQuery) {
    return this.runs.compare(query.ids);
  }

  @Get(':id')
  @Returns(HttpStatus.OK, RunViewSchema, { errors: [HttpStatus.NOT_FOUND] })
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.runs.get(id);
  }
}
