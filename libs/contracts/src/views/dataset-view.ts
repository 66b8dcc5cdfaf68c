import { z } from 'zod';
import { CreatedBySchema } from '../api-keys.js';
import { pageOf } from './page.js';
import { Timestamp } from './common.js';

export const DATASET_STATUSES = ['PENDING', 'PROCESSING', 'READY', 'FAILED'] as const;

const Seconds = z.number().nonnegative();

/** Per-image work inside chunks, summed over images (images run several at once, so these overlap in time). */
export const ImageWorkSchema = z.object({ readSeconds: Seconds, hashSeconds: Seconds, decodeSeconds: Seconds });
export type ImageWork = z.infer<typeof ImageWorkSchema>;

/** One chunk job as its worker timed it: the three steps follow one another, so they add up to its wall time. */
export const ChunkTimingSchema = z.object({
  workerId: z.string(),
  images: z.number().int(),
  startedAt: Timestamp,
  openSeconds: Seconds.describe('the dataset row and the zip\'s directory, read from Postgres'),
  preprocessSeconds: Seconds.describe('entries read, hashed and decoded, several images at once'),
  writeSeconds: Seconds.describe('the rows stored by binary COPY'),
  work: ImageWorkSchema,
});
export type ChunkTiming = z.infer<typeof ChunkTimingSchema>;

/**
 * Where an upload's time went, recorded where each step happens: the API's steps during POST /datasets,
 * then the workers' (instants are wall-clock times of the hosts that ran them).
 */
export const DatasetTimingSchema = z
  .object({
    upload: z.object({
      receivedAt: Timestamp.describe('the request reached the upload route (after the key was checked)'),
      receiveSeconds: Seconds.describe('the multipart body streamed to a temporary file'),
      checkSeconds: Seconds.describe("the archive's layout and limits checked"),
      hashSeconds: Seconds.describe('SHA-256 of the content, to find the same upload again'),
      storeSeconds: Seconds.describe('the zip copied into Postgres and the row written'),
    }),
    split: z.object({ startedAt: Timestamp, seconds: Seconds, chunks: z.number().int() }).optional().describe('the dataset job cut it into chunk jobs'),
    chunks: z
      .object({
        startedAt: Timestamp,
        endedAt: Timestamp,
        openSeconds: Seconds,
        preprocessSeconds: Seconds,
        writeSeconds: Seconds,
        images: ImageWorkSchema,
        perWorker: z.array(z.object({ workerId: z.string(), chunks: z.number().int(), images: z.number().int(), seconds: Seconds })),
      })
      .optional()
      .describe('summed over chunk jobs, which run on several workers at once'),
    finish: z
      .object({ startedAt: Timestamp, splitsSeconds: Seconds, readyAt: Timestamp })
      .optional()
      .describe('splits drawn and written, duplicates found, the dataset marked READY'),
  })
  .meta({ id: 'DatasetTiming' });
export type DatasetTiming = z.infer<typeof DatasetTimingSchema>;

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
    timing: DatasetTimingSchema.nullable().describe('where the upload\'s time went (null for datasets stored before it was recorded)'),
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
