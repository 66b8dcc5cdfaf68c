import { z } from 'zod';

/** One class's scores on the test split. */
export const ClassScoreSchema = z.object({
  label: z.string(),
  precision: z.number().describe('of the samples predicted as this class, the share that are it (0 when none were predicted)'),
  recall: z.number().describe('of the samples of this class, the share predicted as it'),
  f1: z.number(),
  support: z.number().int().describe('test samples of this class'),
});
export type ClassScore = z.infer<typeof ClassScoreSchema>;

/** A test sample the model got wrong; `index` is its index for GET /datasets/:id/samples/:index. */
export const MisclassifiedSchema = z.object({
  index: z.number().int(),
  label: z.string(),
  predicted: z.string(),
  confidence: z.number().describe('the probability the model gave its (wrong) prediction'),
});
export type Misclassified = z.infer<typeof MisclassifiedSchema>;

/** GET /runs/:id/evaluation: a succeeded run's model on its dataset's test split. */
export const EvaluationViewSchema = z
  .object({
    split: z.literal('test'),
    samples: z.number().int(),
    accuracy: z.number(),
    loss: z.number(),
    classes: z.array(z.string()),
    confusion: z.array(z.array(z.number().int())).describe('rows = true class, columns = predicted, in `classes` order'),
    perClass: z.array(ClassScoreSchema),
    misclassified: z.array(MisclassifiedSchema),
  })
  .meta({ id: 'EvaluationView' });
export type EvaluationView = z.infer<typeof EvaluationViewSchema>;
