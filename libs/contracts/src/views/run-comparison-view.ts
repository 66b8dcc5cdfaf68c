import { z } from 'zod';
import { EpochMetricsSchema, RunSummarySchema } from './run-view.js';

const HyperparameterValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** GET /runs/compare?ids=a,b: 2–10 runs side by side, in the order asked for. */
export const RunComparisonSchema = z
  .object({
    runs: z.array(
      RunSummarySchema.extend({
        hyperparameters: z
          .record(z.string(), HyperparameterValueSchema)
          .describe('flattened to dotted paths (`optimizer.learningRate`, `layers.0.units`), defaults written out'),
      }),
    ),
    differences: z
      .array(z.object({ field: z.string(), values: z.record(z.uuid(), HyperparameterValueSchema).describe('by run id; null where a run has no such field') }))
      .describe('the hyperparameters whose values are not all equal, in field order'),
    epochs: z
      .array(z.object({ epoch: z.number().int(), metrics: z.record(z.uuid(), EpochMetricsSchema.nullable()).describe('by run id; null where a run has no such epoch') }))
      .describe('every epoch any of the runs stored, ascending, with each run\'s metric row'),
  })
  .meta({ id: 'RunComparison' });
export type RunComparison = z.infer<typeof RunComparisonSchema>;
