import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * The OpenAPI schema of a multipart body: the zod schema of its text fields (the one the route validates
 * with) plus its file fields, which the pipe never sees because multer takes them first.
 */
export function multipartBody(fields: z.ZodObject, files: Record<string, { description: string; many?: boolean }>): { schema: SchemaObject; required: true } {
  const text = z.toJSONSchema(fields, { target: 'openapi-3.0', io: 'input' }) as SchemaObject;
  const binary: SchemaObject = { type: 'string', format: 'binary' };
  const fileProperties = Object.fromEntries(
    Object.entries(files).map(([name, { description, many }]) => [name, many ? { type: 'array', items: binary, description } : { ...binary, description }]),
  );
  const schema: SchemaObject = { type: 'object', properties: { ...fileProperties, ...text.properties }, required: text.required };
  // An explicit undefined replaces the zod schema swagger reflects from @Body, which lacks the files.
  return { schema, required: true, standardSchema: undefined } as { schema: SchemaObject; required: true };
}
