import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { ModelExportService } from './model-export.service.js';
import { ModelVersions } from './model-versions.js';
import { AliasSchema, type VersionRef, VersionRefSchema } from './version-ref.js';

const SetAliasSchema = z.strictObject({ version: z.number().int().positive() });
const UnitQuerySchema = z.strictObject({ unit: z.coerce.number().int().min(0) });

/** Aliases, export in TensorFlow.js Layers format, and first-layer weight images of a model's versions. */
@Controller('models')
export class ModelVersionsController {
  constructor(
    private readonly versions: ModelVersions,
    private readonly exporter: ModelExportService,
  ) {}

  @Put(':id/aliases/:alias')
  @Roles('member')
  setAlias(
    @Param('id', { schema: z.uuid() }) id: string,
    @Param('alias', { schema: AliasSchema }) alias: string,
    @Body({ schema: SetAliasSchema }) body: z.infer<typeof SetAliasSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.versions.setAlias(principal, id, alias, body.version);
  }

  @Delete(':id/aliases/:alias')
  @Roles('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteAlias(@Param('id', { schema: z.uuid() }) id: string, @Param('alias', { schema: AliasSchema }) alias: string, @CurrentPrincipal() principal: Principal) {
    await this.versions.deleteAlias(principal, id, alias);
  }

  @Get(':id/versions/:v/model.json')
  modelJson(@Param('id', { schema: z.uuid() }) id: string, @Param('v', { schema: VersionRefSchema }) version: VersionRef) {
    return this.exporter.modelJson(id, version);
  }

  @Get(':id/versions/:v/weights.bin')
  @Header('content-disposition', 'attachment; filename="weights.bin"')
  weightsBin(@Param('id', { schema: z.uuid() }) id: string, @Param('v', { schema: VersionRefSchema }) version: VersionRef) {
    return this.exporter.weightsBin(id, version);
  }

  /** Unit k's incoming weights as an image of the input's size; X-Weight-Scale is the |w| that white and black stand for. */
  @Get(':id/versions/:v/layers/:layer/weights.png')
  async unitWeights(
    @Param('id', { schema: z.uuid() }) id: string,
    @Param('v', { schema: VersionRefSchema }) version: VersionRef,
    @Param('layer', { schema: z.coerce.number().int().min(0) }) layer: number,
    @Query({ schema: UnitQuerySchema }) query: z.infer<typeof UnitQuerySchema>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { png, scale } = await this.exporter.unitWeightsPng(id, version, layer, query.unit);
    response.setHeader('x-weight-scale', String(scale));
    return png;
  }
}
