import { z } from 'zod';
import { EarlyStoppingSchema, LayerSpecSchema, LOSSES, OptimizerSpecSchema } from './network.js';
import { RUN_PRIORITIES } from './scheduling.js';

/** What POST /runs takes, and what each run of a sweep is checked against. Strict: an unknown field is an error, not silently dropped. */
export const RunSpecSchema = z.strictObject({
  datasetId: z.uuid(),
  /** Trained weights become a version of this model; defaults to the dataset's name. */
  modelName: z.string().trim().min(1).max(200).optional(),
  layers: z.array(LayerSpecSchema).min(1).max(32),
  optimizer: OptimizerSpecSchema,
  batchSize: z.number().int().positive().max(65_536),
  epochs: z.number().int().positive().max(10_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** Omitted: the dataset's own validation split. A fraction: drawn from its train + validation samples instead. */
  validationSplit: z.number().min(0).max(0.9).optional(),
  loss: z.enum(LOSSES).default('crossEntropy'),
  earlyStopping: EarlyStoppingSchema.optional(),
  /** Whether layers have bias terms, unless a layer says otherwise; also applies to the output layer. */
  bias: z.boolean().default(true),
  checkpointEvery: z.number().int().positive().max(10_000).default(1),
  /** high runs start before any normal one, normal before any low; within a class, in submission order. */
  priority: z.enum(RUN_PRIORITIES).default('normal'),
  /** { gpu: true }: only a worker whose backend runs on a GPU trains it. */
  requires: z.strictObject({ gpu: z.boolean().default(false) }).default({ gpu: false }),
}).refine((run) => !run.earlyStopping || run.validationSplit !== 0, {
  path: ['earlyStopping'],
  message: 'needs a validationSplit above 0: it watches the validation loss',
});
export type RunSpec = z.infer<typeof RunSpecSchema>;
