import { z } from 'zod';

/** ?limit=&offset= on every list endpoint. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** What every list endpoint answers: one page of items and how many there are in all. */
export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

/** The schema of a page of `item`, named `id` in the OpenAPI document. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(item) })
    .meta({ id });
}

/** Builds a page answer from a query and what the database returned. */
export const toPage = <T>(query: PageQuery, total: number, items: T[]): Page<T> => ({ total, limit: query.limit, offset: query.offset, items });
