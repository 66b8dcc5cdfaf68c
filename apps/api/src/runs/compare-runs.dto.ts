import { z } from 'zod';

/** GET /runs/compare: `ids` is a comma-separated list of 2–10 distinct run ids. */
export const CompareRunsSchema = z.strictObject({
  ids: z
    .string()
    .transform((text) => text.split(',').map((id) => id.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.uuid())
        .min(2, 'name 2 to 10 run ids, comma-separated')
        .max(10, 'name 2 to 10 run ids, comma-separated')
        .refine((ids) => new Set(ids).size === ids.length, 'names a run twice'),
    )
    .describe('2–10 run ids, comma-separated'),
});
export type CompareRunsQuery = z.infer<typeof CompareRunsSchema>;
