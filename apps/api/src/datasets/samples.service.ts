import { Injectable, StreamableFile } from '@nestjs/common';
import sharp from 'sharp';
import { PrismaService, SampleStore, type StoredSample } from '#libs/database';
import { storedSpec } from '#libs/preprocess';
import { invalidInput, notFound } from '../http/domain-error.js';
import { type SamplePixels, sampleCsv, sampleJson } from './sample-text.js';

@Injectable()
export class SamplesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly samples: SampleStore,
  ) {}

  /** The index-th sample of a dataset, in the archive's path order (0 .. numSamples − 1). */
  async get(datasetId: string, index: number): Promise<SamplePixels> {
    const dataset = await this.prisma.dataset.findUnique({ where: { id: datasetId } });
    if (!dataset) throw notFound('dataset', datasetId);
    if (index >= dataset.numSamples) throw invalidInput('index', `dataset ${datasetId} has ${dataset.numSamples} samples (0..${dataset.numSamples - 1})`);
    let sample: StoredSample | undefined;
    // Through binary COPY: the pixels never become a string on their way out of Postgres.
    for await (const row of this.samples.read(datasetId, { offset: index, limit: 1 })) sample = { ...row, pixels: Buffer.from(row.pixels) };
    if (!sample) throw notFound('sample', `${datasetId}/${index}`);
    const spec = storedSpec(dataset, dataset.spec);
    return { index, file: sample.file, label: dataset.classes[sample.label]!, split: sample.split, pixels: sample.pixels, spec };
  }

  /** The stored bytes as a lossless PNG: decoding it gives back exactly the bytes the activations come from. */
  async png(sample: SamplePixels): Promise<StreamableFile> {
    const { width, height, channels } = sample.spec;
    // Without the colourspace, libvips writes one-channel input as an RGB PNG.
    const png = await sharp(sample.pixels, { raw: { width, height, channels } })
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toBuffer();
    return new StreamableFile(png);
  }

  /** The activations as JSON, streamed a pixel row at a time. */
  json(sample: SamplePixels): StreamableFile {
    return new StreamableFile(sampleJson(sample), { type: 'application/json; charset=utf-8' });
  }

  /** One CSV line per pixel row, streamed. */
  csv(sample: SamplePixels): StreamableFile {
    return new StreamableFile(sampleCsv(sample), { type: 'text/csv; charset=utf-8' });
  }
}
