import { z } from 'zod';
import { CreatedBySchema } from '../api-keys.js';
import { pageOf } from './page.js';
import { Timestamp } from './common.js';

export const DATASET_STATUSES = ['PENDING', 'PROCESSING', 'READY', 'FAILED'] as const;

const SplitCountsSchema = z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int(), total: z.number().int() });

/** GET /datasets/:id; the list shows the same without progress and counts. */
export const DatasetViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(DATASET_STATUSES),
    width: z.number().int(),
    height: z.number().int(),
    channels: z.number().int(),
    spec: z.record(z.string(), z.unknown()).describe('the preprocessing spec'),
    numSamples: z.number().int(),
    imageCount: z.number().int(),
    classes: z.array(z.string()),
    skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
    duplicates: z.array(z.array(z.string())),
    sizeBytes: z.object({ upload: z.number().int(), samples: z.number().int() }),
    storageBytes: z.number().int().describe('bytes it holds in Postgres: the upload and the samples'),
    progress: z.object({ stored: z.number().int(), of: z.number().int() }).optional().describe('while PROCESSING'),
    counts: z
      .object({ perClass: z.record(z.string(), SplitCountsSchema), perSplit: SplitCountsSchema, emptyClasses: z.array(z.string()) })
      .optional()
      .describe('once READY'),
    error: z.string().optional(),
    createdAt: Timestamp,
    createdBy: CreatedBySchema,
  })
  .meta({ id: 'DatasetView' });
export type DatasetView = z.infer<typeof DatasetViewSchema>;

export const DatasetPageSchema = pageOf(DatasetViewSchema, 'DatasetPage');

/** POST /datasets: 202 for a new dataset, 200 with existing: true for the same content and spec again. */
export const DatasetAcceptedSchema = z
  .object({ id: z.uuid(), status: z.enum(DATASET_STATUSES), existing: z.boolean() })
  .meta({ id: 'DatasetAccepted' });

/** GET /datasets/:id/samples/:n?format=json */
export const SampleViewSchema = z
  .object({
    index: z.number().int(),
    file: z.string(),
    label: z.string(),
    split: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    channels: z.number().int(),
    activations: z.array(z.array(z.number())).describe('one array per pixel row, channels side by side'),
  })
  .meta({ id: 'SampleView' });
