import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ModelAliasSchema } from '#libs/contracts';
import { Returns } from '../openapi/returns.decorator.js';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { ModelExportService } from './model-export.service.js';
import { ModelVersions } from './model-versions.js';
import { AliasSchema, type VersionRef, VersionRefSchema } from './version-ref.js';

/** model.json as tf.loadLayersModel reads it. */
const TfjsModelJsonSchema = z.object({ modelTopology: z.record(z.string(), z.unknown()), weightsManifest: z.array(z.unknown()), format: z.string().optional(), userDefinedMetadata: z.record(z.string(), z.unknown()).optional() }).meta({ id: 'TfjsModelJson' });

const SetAliasSchema = z.strictObject({ version: z.number().int().positive() });
const UnitQuerySchema = z.strictObject({ unit: z.coerce.number().int().min(0) });

/** Aliases, export in TensorFlow.js Layers format, and first-layer weight images of a model's versions. */
@ApiTags('models')
@Controller('models')
export class ModelVersionsController {
  constructor(
    private readonly versions: ModelVersions,
    private readonly exporter: ModelExportService,
  ) {}

  @Put(':id/aliases/:alias')
  @Roles('member')
  @Returns(HttpStatus.OK, ModelAliasSchema, { errors: [HttpStatus.NOT_FOUND] })
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
  @Returns(HttpStatus.NO_CONTENT, null, { errors: [HttpStatus.NOT_FOUND] })
  async deleteAlias(@Param('id', { schema: z.uuid() }) id: string, @Param('alias', { schema: AliasSchema }) alias: string, @CurrentPrincipal() principal: Principal) {
    await this.versions.deleteAlias(principal, id, alias);
  }

  /** 204; the version's weights are deleted with it; the run that trained it stays. */
  @Delete(':id/versions/:v')
  @Roles('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteVersion(@Param('id', { schema: z.uuid() }) id: string, @Param('v', { schema: VersionRefSchema }) version: VersionRef, @CurrentPrincipal() principal: Principal) {
    await this.versions.deleteVersion(principal, id, version);
  }

  @Get(':id/versions/:v/model.json')
  @Returns(HttpStatus.OK, TfjsModelJsonSchema, { errors: [HttpStatus.NOT_FOUND], description: 'TensorFlow.js Layers format: modelTopology, weightsManifest (paths: weights.bin), userDefinedMetadata' })
  modelJson(@Param('id', { schema: z.uuid() }) id: string, @Param('v', { schema: VersionRefSchema }) version: VersionRef) {
    return this.exporter.modelJson(id, version);
  }

  @Get(':id/versions/:v/weights.bin')
  @Returns(HttpStatus.OK, null, { produces: 'application/octet-stream', errors: [HttpStatus.NOT_FOUND], description: 'float32 little-endian weights in weightsManifest order' })
  @Header('content-disposition', 'attachment; filename="weights.bin"')
  weightsBin(@Param('id', { schema: z.uuid() }) id: string, @Param('v', { schema: VersionRefSchema }) version: VersionRef) {
    return this.exporter.weightsBin(id, version);
  }

  /** Unit k's incoming weights as an image of the input's size; X-Weight-Scale is the |w| that white and black stand for. */
  @Get(':id/versions/:v/layers/:layer/weights.png')
  @Returns(HttpStatus.OK, null, { produces: 'image/png', errors: [HttpStatus.NOT_FOUND], description: 'unit k\'s incoming weights as an image of the input\'s size' })
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
