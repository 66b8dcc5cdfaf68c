import { Body, Controller, Get, Param, Post, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { z } from 'zod';
import { Roles } from '../auth/index.js';
import { type ImageFile, ModelsService } from './models.service.js';
import { VersionRefSchema } from './version-ref.js';

const PredictSchema = z.strictObject({ version: VersionRefSchema.optional() });

@Controller('models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  list() {
    return this.models.list();
  }

  @Get(':id')
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.models.get(id);
  }

  /** multipart: images in `files`, optional `version`: a number or `@alias` (default: the newest). */
  @Post(':id/predict')
  @Roles('member')
  @UseInterceptors(FilesInterceptor('files'))
  predict(
    @Param('id', { schema: z.uuid() }) id: string,
    @UploadedFiles() files: ImageFile[] | undefined,
    @Body({ schema: PredictSchema }) body: z.infer<typeof PredictSchema>,
  ) {
    return this.models.predict(id, files ?? [], body.version);
  }
}
