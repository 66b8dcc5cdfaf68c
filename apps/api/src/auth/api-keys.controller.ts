import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { API_KEY_ROLES, ApiKeyViewSchema, CreatedApiKeySchema, pageOf } from '#libs/contracts';
import { Returns } from '../openapi/returns.decorator.js';
import { PageSchema, type PageQuery } from '../http/page.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, type Principal } from './principal.js';
import { Roles } from './roles.js';

/** GET /api-keys/me: the calling key. */
const ApiKeyMeSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(API_KEY_ROLES) }).meta({ id: 'ApiKeyMe' });

const CreateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.enum(API_KEY_ROLES),
});

/** Admins: create keys (the secret is in the 201 answer and nowhere else), list them, revoke them. Any key: GET /api-keys/me. */
@ApiTags('api-keys')
@Controller('api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Returns(HttpStatus.CREATED, CreatedApiKeySchema)
  create(@Body({ schema: CreateApiKeySchema }) body: z.infer<typeof CreateApiKeySchema>) {
    return this.keys.create(body.name, body.role);
  }

  /** Any key: who am I? (a dashboard shows only the buttons the role allows). */
  @Get('me')
  @Roles('viewer')
  @Returns(HttpStatus.OK, ApiKeyMeSchema)
  me(@CurrentPrincipal() principal: Principal): Principal {
    return { id: principal.id, name: principal.name, role: principal.role };
  }

  @Get()
  @Returns(HttpStatus.OK, pageOf(ApiKeyViewSchema, 'ApiKeyPage'))
  list(@Query({ schema: PageSchema }) page: PageQuery) {
    return this.keys.list(page);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Returns(HttpStatus.NO_CONTENT, null, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT] })
  revoke(@Param('id', { schema: z.uuid() }) id: string) {
    return this.keys.revoke(id);
  }
}
