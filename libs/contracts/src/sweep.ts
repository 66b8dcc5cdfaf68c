import { z } from 'zod';

/** What a sweep ranks its runs by (their `final` metrics), and whether more is better. */
export const SWEEP_METRICS = { valAccuracy: 'max', valLoss: 'min', accuracy: 'max', loss: 'min' } as const;
export type SweepMetric = keyof typeof SWEEP_METRICS;

/** A dotted path into a run spec: object keys and array indices, e.g. optimizer.learningRate or layers.0.units. */
export const SweepPathSchema = z
  .string()
  .regex(/^[A-Za-z_$][\w$]*(\.(0|[1-9]\d*|[A-Za-z_$][\w$]*))*$/, 'a dotted path into the run spec, e.g. optimizer.learningRate or layers.0.units');

/** The values a path takes, each one a JSON value put at the path as it is. */
export const SweepValuesSchema = z.array(z.unknown()).min(1).max(1_000);

/** Numbers drawn uniformly from [min, max], or log-uniformly when `log`; whole numbers (still within [min, max]) when `integer`. */
export const SweepRangeSchema = z
  .strictObject({ min: z.number(), max: z.number(), log: z.boolean().default(false), integer: z.boolean().default(false) })
  .refine((range) => range.min <= range.max, { message: 'min must not exceed max' })
  .refine((range) => !range.log || range.min > 0, { message: 'a log range needs min above 0' })
  .refine((range) => !range.integer || (Number.isInteger(range.min) && Number.isInteger(range.max)), { message: 'an integer range needs whole min and max' });
export type SweepRange = z.infer<typeof SweepRangeSchema>;

export const SweepRandomSchema = z
  .object({ trials: z.number().int().min(1).max(10_000).describe('draws per grid point (or in all, without a grid)') })
  .catchall(z.union([SweepRangeSchema, SweepValuesSchema]))
  .superRefine((random, ctx) => {
    for (const key of Object.keys(random)) {
      if (key !== 'trials' && !SweepPathSchema.safeParse(key).success) ctx.addIssue({ code: 'custom', path: [key], message: 'not a dotted path into the run spec' });
    }
  });

/** POST /sweeps. Every run it makes is checked exactly as POST /runs checks one, before anything is stored. */
export const SweepSpecSchema = z
  .strictObject({
    base: z.record(z.string(), z.unknown()).describe('a run spec as POST /runs takes it; fields a grid or random path sets may be left out'),
    grid: z.record(SweepPathSchema, SweepValuesSchema).optional().describe('every combination of these values (a cartesian product)'),
    random: SweepRandomSchema.optional().describe('`trials` seeded draws; each path a { min, max, log?, integer? } range or a list to pick from'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('seeds the random draws, and the training of runs whose spec has no seed; drawn when omitted'),
    maxParallel: z.number().int().min(1).max(1_000).optional().describe("most of the sweep's runs RUNNING at once; omitted: no limit"),
    metric: z.enum(Object.keys(SWEEP_METRICS) as [SweepMetric, ...SweepMetric[]]).default('valAccuracy').describe('picks the best run: accuracies highest, losses lowest'),
  })
  .refine((spec) => spec.grid || spec.random, { message: 'give grid, random or both', path: ['grid'] });
export type SweepSpec = z.infer<typeof SweepSpecSchema>;
