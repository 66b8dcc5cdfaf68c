import { z } from 'zod';

/** ?limit=&offset= on list endpoints. */
export const PageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageSchema>;
