import { z } from 'zod';
import { CreatedBySchema } from '../api-keys.js';
import { pageOf } from './page.js';
import { Timestamp } from './common.js';
import { FinalMetricsSchema, RUN_STATUSES } from './run-view.js';

export const ModelSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: Timestamp,
    createdBy: CreatedBySchema,
    runs: z.number().int(),
    latestVersion: z.object({ version: z.number().int(), createdAt: Timestamp }).nullable(),
  })
  .meta({ id: 'ModelSummary' });
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ModelPageSchema = pageOf(ModelSummarySchema, 'ModelPage');

export const ModelVersionViewSchema = z
  .object({
    version: z.number().int(),
    aliases: z.array(z.string()),
    runId: z.uuid().nullable().describe('null once the run was deleted'),
    createdAt: Timestamp,
    architecture: z.record(z.string(), z.unknown()),
    parameters: z.number().int(),
    sizeBytes: z.number().int().describe('bytes of the stored weights'),
    finalMetrics: FinalMetricsSchema.nullable(),
    lineage: z.object({
      dataset: z.unknown().describe('{ id, name, contentHash, spec } as it was when the version was trained; null if unknown'),
      run: z
        .object({
        id: z.uuid(),
        status: z.enum(RUN_STATUSES),
        seed: z.number().int(),
        optimizer: z.unknown(),
        batchSize: z.number().int(),
        epochs: z.number().int(),
        loss: z.string(),
      })
        .nullable(),
      final: FinalMetricsSchema.nullable(),
      test: z.object({ samples: z.number().int(), accuracy: z.number(), loss: z.number() }).nullable().describe('the evaluation on the test split, once done'),
    }),
  })
  .meta({ id: 'ModelVersionView' });

export const ModelViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: Timestamp,
    createdBy: CreatedBySchema,
    aliases: z.record(z.string(), z.number().int()).describe('alias → version'),
    storageBytes: z.number().int().describe('bytes of every version\'s weights'),
    versions: z.array(ModelVersionViewSchema),
  })
  .meta({ id: 'ModelView' });

/** PUT /models/:id/aliases/:alias answers this. */
export const ModelAliasSchema = z.object({ alias: z.string(), version: z.number().int() }).meta({ id: 'ModelAlias' });
export type ModelView = z.infer<typeof ModelViewSchema>;

export const PredictionsSchema = z
  .object({
    modelId: z.uuid(),
    version: z.number().int(),
    predictions: z.array(z.object({ file: z.string(), label: z.string(), probabilities: z.record(z.string(), z.number()) })),
  })
  .meta({ id: 'Predictions' });

/** POST /models/:id/inspect: one image's way through a version, as the network computes it. */
export const InspectionSchema = z
  .object({
    modelId: z.uuid(),
    version: z.number().int(),
    file: z.string(),
    input: z
      .object({
        width: z.number().int(),
        height: z.number().int(),
        channels: z.number().int(),
        activations: z.array(z.array(z.number())).describe('as the samples view shows them: one array per pixel row, channels side by side'),
      })
      .describe('the image after preprocessing: the first layer\'s a'),
    layers: z
      .array(
        z.object({
          layer: z.number().int().describe('0 for the first hidden layer; the last is the output layer'),
          units: z.number().int(),
          activation: z.string().describe('f; softmax on the output layer'),
          bias: z.boolean(),
          z: z.array(z.number()).describe('W·a + b, one per unit (W·a without bias)'),
          a: z.array(z.number()).describe('f(z), one per unit: the next layer\'s input'),
        }),
      )
      .describe('hidden layers in order, then the output layer'),
    output: z
      .object({
        label: z.string().describe('the most probable class'),
        probabilities: z.record(z.string(), z.number()).describe('class → probability: the output layer\'s a'),
      })
      .describe('as predict answers for the same image'),
  })
  .meta({ id: 'Inspection' });
export type Inspection = z.infer<typeof InspectionSchema>;
