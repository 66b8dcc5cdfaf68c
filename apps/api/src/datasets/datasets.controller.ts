import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DatasetAcceptedSchema, DatasetPageSchema, DatasetViewSchema } from '#libs/contracts';
import { multipartBody } from '../openapi/multipart.js';
import { Returns } from '../openapi/returns.decorator.js';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { PageSchema, type PageQuery } from '../http/page.dto.js';
import { type TimedRequest, UploadClock, type UploadedFile, uploadStorage } from './dataset-upload.js';
import { DatasetsService } from './datasets.service.js';
import { UploadDatasetSchema, type UploadDatasetDto } from './upload-dataset.dto.js';

@ApiTags('datasets')
@Controller('datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  /** 202 for a new dataset; 200 with `existing: true` when the same content and spec were uploaded before. */
  @Post()
  @Roles('member')
  // Streamed to disk, not memory; the module's size and count limits still apply.
  @UseInterceptors(UploadClock, AnyFilesInterceptor({ storage: uploadStorage }))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody(UploadDatasetSchema, { file: { description: 'a .zip of class folders, or with a labels.csv' }, files: { description: 'images, labelled by `labels` in order', many: true } }))
  @Returns(HttpStatus.ACCEPTED, DatasetAcceptedSchema, { errors: [HttpStatus.PAYLOAD_TOO_LARGE] })
  @ApiResponse({ status: HttpStatus.OK, standardSchema: DatasetAcceptedSchema, description: 'the same content and spec were uploaded before' })
  async upload(
    @UploadedFiles() files: UploadedFile[] | undefined,
    @Body({ schema: UploadDatasetSchema }) dto: UploadDatasetDto,
    @Res({ passthrough: true }) response: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const receivedAt = (response.req as TimedRequest).uploadStartedAt ?? Date.now();
    const result = await this.datasets.upload(files ?? [], dto, principal, receivedAt);
    response.status(result.existing ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return result;
  }

  @Get()
  @Returns(HttpStatus.OK, DatasetPageSchema)
  list(@Query({ schema: PageSchema }) page: PageQuery) {
    return this.datasets.list(page);
  }

  @Get(':id')
  @Returns(HttpStatus.OK, DatasetViewSchema, { errors: [HttpStatus.NOT_FOUND] })
  get(@Param('id', { schema: z.uuid() }) id: string) {
    return this.datasets.get(id);
  }

  /** Members delete only datasets their key uploaded. */
  @Delete(':id')
  @Roles('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Returns(HttpStatus.NO_CONTENT, null, { errors: [HttpStatus.NOT_FOUND, HttpStatus.CONFLICT] })
  delete(@Param('id', { schema: z.uuid() }) id: string, @CurrentPrincipal() principal: Principal) {
    return this.datasets.delete(id, principal);
  }
}
