import { z } from 'zod';

/** Timestamps travel as ISO 8601 strings. */
export const Timestamp = z.iso.datetime();
export const iso = (date: Date) => date.toISOString();
export const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

/** Every error leaves the API in this shape. */
export const ErrorBodySchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string().describe('names the field or thing at fault'),
    details: z.unknown().optional(),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
