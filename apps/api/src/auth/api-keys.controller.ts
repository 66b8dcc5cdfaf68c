import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { API_KEY_ROLES } from '#libs/contracts';
import { PageSchema, type PageQuery } from '../http/page.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, type Principal } from './principal.js';
import { Roles } from './roles.js';

const CreateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.enum(API_KEY_ROLES),
});

/** Admins: create keys (the secret is in the 201 answer and nowhere else), list them, revoke them. Any key: GET /api-keys/me. */
@Controller('api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  create(@Body({ schema: CreateApiKeySchema }) body: z.infer<typeof CreateApiKeySchema>) {
    return this.keys.create(body.name, body.role);
  }

  /** Any key: who am I? (a dashboard shows only the buttons the role allows). */
  @Get('me')
  @Roles('viewer')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return { id: principal.id, name: principal.name, role: principal.role };
  }

  @Get()
  list(@Query({ schema: PageSchema }) page: PageQuery) {
    return this.keys.list(page);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  revoke(@Param('id', { schema: z.uuid() }) id: string) {
    return this.keys.revoke(id);
  }
}
