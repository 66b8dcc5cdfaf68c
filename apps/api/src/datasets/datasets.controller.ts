import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { z } from 'zod';
import { PageSchema, type PageQuery } from '../http/page.dto.js';
import { DatasetsService, type UploadedFile as Upload } from './datasets.service.js';
import { type UploadDatasetDto, UploadDatasetSchema } from './upload-dataset.dto.js';

@Controller('datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor('file'))
  upload(@UploadedFile() file: Upload | undefined, @Body({ schema: UploadDatasetSchema }) dto: UploadDatasetDto) {
    return this.datasets.upload(file, dto);
  }

  @Get()
  list(@Query({ schema: PageSchema }) page: PageQuery) {
    return this.datasets.list(page);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  delete(@Param('id', { schema: z.uuid() }) id: string) {
    return this.datasets.delete(id);
  }

  @Get(':id')
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.datasets.get(id);
  }
}
