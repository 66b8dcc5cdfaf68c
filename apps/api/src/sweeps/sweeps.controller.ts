import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { type SweepSpec, SweepAcceptedSchema, SweepPageSchema, SweepSpecSchema, SweepViewSchema } from '#libs/contracts';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { PageSchema, type PageQuery } from '../http/page.dto.js';
import { Returns } from '../openapi/returns.decorator.js';
import { SweepsService } from './sweeps.service.js';

@ApiTags('sweeps')
@Controller('sweeps')
export class SweepsController {
  constructor(private readonly sweeps: SweepsService) {}

  @Post()
  @Roles('member')
  @HttpCode(HttpStatus.ACCEPTED)
  @Returns(HttpStatus.ACCEPTED, SweepAcceptedSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT] })
  create(@Body({ schema: SweepSpecSchema }) spec: SweepSpec, @CurrentPrincipal() principal: Principal) {
    return this.sweeps.create(spec, principal);
  }

  /** Members cancel only sweeps their key submitted; 409 once none of its runs is queued or running. */
  @Post(':id/cancel')
  @Roles('member')
  @Returns(HttpStatus.CREATED, SweepViewSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT], description: 'the sweep, its unfinished runs CANCELLED' })
  cancel(@Param('id', { schema: z.uuid() }) id: string, @CurrentPrincipal() principal: Principal) {
    return this.sweeps.cancel(id, principal);
  }

  @Get()
  @Returns(HttpStatus.OK, SweepPageSchema)
  list(@Query({ schema: PageSchema }) page: PageQuery) {
    return this.sweeps.list(page);
  }

  @Get(':id')
  @Returns(HttpStatus.OK, SweepViewSchema, { errors: [HttpStatus.NOT_FOUND] })
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.sweeps.get(id);
  }
}
