import { rm } from 'node:fs/promises';
import { type CallHandler, type ExecutionContext, Inject, Injectable, mixin, type NestInterceptor, type Type } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import { finalize, type Observable } from 'rxjs';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { uploadStorage } from '../datasets/dataset-upload.js';
import { DomainError, invalidInput } from '../http/domain-error.js';
import type { ImageOnDisk } from './prediction-task.js';

/** The images of a request, on disk, as the handler receives them (`@UploadedFiles()`). */
export type UploadedImages = (Express.Multer.File & { path: string })[];

/** Where a request's images went: their names, and the temporary files a prediction thread reads. */
export const onDisk = (images: UploadedImages): ImageOnDisk[] => images.map((image) => ({ file: image.originalname, path: image.path }));

/**
 * Images in the multipart field `field`, streamed to temporary files (removed when the request ends),
 * at most `limit.of(config)` of them: one more is a 413 naming `limit.name`, before anything is decoded.
 */
export function ImagesUpload(field: string, limit: { name: string; of: (config: ApiConfig) => number }): Type<NestInterceptor> {
  @Injectable()
  class ImagesUploadInterceptor implements NestInterceptor {
    private readonly upload;

    constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
      this.upload = multer({ storage: uploadStorage, limits: { files: limit.of(config), fileSize: config.MAX_UPLOAD_MB * 1024 ** 2 } }).array(field);
    }

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const http = context.switchToHttp();
      const request = http.getRequest<Request>();
      const remove = () => Promise.all(((request.files ?? []) as UploadedImages).map((f) => rm(f.path, { force: true })));
      await new Promise<void>((resolve, reject) => this.upload(request, http.getResponse<Response>(), (error: unknown) => (error ? reject(this.refusal(error)) : resolve())));
      return next.handle().pipe(finalize(() => void remove()));
    }

    /** multer's limits, said in this API's words. */
    private refusal(error: unknown): unknown {
      if (!(error instanceof multer.MulterError)) return error;
      switch (error.code) {
        case 'LIMIT_FILE_COUNT':
          const most = limit.of(this.config);
          return new DomainError('TOO_LARGE', `${field}: at most ${most} image${most === 1 ? '' : 's'} per request (${limit.name})`);
        case 'LIMIT_FILE_SIZE':
          return new DomainError('TOO_LARGE', `${field}: ${error.field ?? 'an image'} is larger than ${this.config.MAX_UPLOAD_MB} MB (MAX_UPLOAD_MB)`);
        case 'LIMIT_UNEXPECTED_FILE':
          return invalidInput(field, `unexpected file field "${error.field}"; send images in "${field}"`);
        default:
          return invalidInput(field, error.message);
      }
    }
  }
  return mixin(ImagesUploadInterceptor);
}
