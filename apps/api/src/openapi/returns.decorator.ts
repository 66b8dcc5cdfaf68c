import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { ErrorBodySchema } from '#libs/contracts';

const BINARY = new Set(['application/octet-stream', 'image/png']);

/** The error statuses every route may answer; a route adds its own with `errors`. */
const COMMON_ERRORS = [HttpStatus.BAD_REQUEST, HttpStatus.SERVICE_UNAVAILABLE];

/**
 * Declares what a route answers for the OpenAPI document: its success status and zod schema (from
 * `#libs/contracts`), and the error statuses it may give, each with the ErrorBody shape.
 */
export function Returns(status: number, schema: z.ZodType | null, options: { errors?: number[]; description?: string; produces?: string } = {}) {
  const errors = [...new Set([...COMMON_ERRORS, ...(options.errors ?? [])])];
  return applyDecorators(
    ApiResponse({
      status,
      description: options.description ?? HttpStatus[status]!.toLowerCase().replaceAll('_', ' '),
      ...(schema && { standardSchema: schema }),
      // A stream, text or file has no JSON schema: binary for files, its events or lines described in words.
      ...(!schema && options.produces && { content: { [options.produces]: { schema: BINARY.has(options.produces) ? { type: 'string', format: 'binary' } : { type: 'string' } } } }),
    }),
    ...(options.produces ? [ApiProduces(options.produces)] : []),
    ...errors.map((error) => ApiResponse({ status: error, description: HttpStatus[error]!.toLowerCase().replaceAll('_', ' '), standardSchema: ErrorBodySchema })),
  );
}
