import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/index.js';
import { InspectionSchema, ModelPageSchema, ModelViewSchema, PageQuerySchema, type PageQuery, PredictionsSchema } from '#libs/contracts';
import { multipartBody } from '../openapi/multipart.js';
import { Returns } from '../openapi/returns.decorator.js';
import { ImagesUpload, onDisk, type UploadedImages } from './image-upload.js';
import { ModelsService } from './models.service.js';
import { VersionRefSchema } from './version-ref.js';

const PredictSchema = z.strictObject({ version: VersionRefSchema.optional() });

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @Returns(HttpStatus.OK, ModelPageSchema)
  list(@Query({ schema: PageQuerySchema }) page: PageQuery) {
    return this.models.list(page);
  }

  @Get(':id')
  @Returns(HttpStatus.OK, ModelViewSchema, { errors: [HttpStatus.NOT_FOUND] })
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.models.get(id);
  }

  /** multipart: images in `files` (at most MAX_PREDICT_IMAGES), optional `version`: a number or `@alias` (default: the newest). */
  @Post(':id/predict')
  @Roles('member')
  @UseInterceptors(ImagesUpload('files', { name: 'MAX_PREDICT_IMAGES', of: (config) => config.MAX_PREDICT_IMAGES }))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody(PredictSchema, { files: { description: 'images to classify', many: true } }))
  @Returns(HttpStatus.CREATED, PredictionsSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.SERVICE_UNAVAILABLE] })
  predict(
    @Param('id', { schema: z.uuid() }) id: string,
    @UploadedFiles() files: UploadedImages | undefined,
    @Body({ schema: PredictSchema }) body: z.infer<typeof PredictSchema>,
  ) {
    return this.models.predict(id, onDisk(files ?? []), body.version);
  }

  /**
   * multipart: one image in `file`, optional `version` as for predict: the image's activations, each
   * layer's z = W·a + b and a = f(z), and the class probabilities (the same numbers predict gives).
   */
  @Post(':id/inspect')
  @Roles('member')
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(ImagesUpload('file', { name: 'inspect takes one image', of: () => 1 }))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody(PredictSchema, { file: { description: 'the image to follow through the network' } }))
  @Returns(HttpStatus.OK, InspectionSchema, { errors: [HttpStatus.NOT_FOUND, HttpStatus.PAYLOAD_TOO_LARGE] })
  inspect(
    @Param('id', { schema: z.uuid() }) id: string,
    @UploadedFiles() files: UploadedImages | undefined,
    @Body({ schema: PredictSchema }) body: z.infer<typeof PredictSchema>,
  ) {
    return this.models.inspect(id, onDisk(files ?? [])[0], body.version);
  }
}
