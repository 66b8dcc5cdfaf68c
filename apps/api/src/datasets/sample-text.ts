import { Readable } from 'node:stream';
import { activationRows, type PreprocessSpec } from '#libs/preprocess';

/** What the JSON and CSV views of a sample need. */
export interface SamplePixels {
  index: number;
  file: string;
  label: string;
  split: string;
  pixels: Uint8Array;
  spec: PreprocessSpec;
}

/** One pixel row at a time, so the API never holds more than one row's text: a 4096×4096 RGB sample would be ~600 MB of JSON built whole. */
const rows = (sample: SamplePixels) => activationRows(sample.pixels, sample.spec);

function* jsonChunks(sample: SamplePixels): Generator<string> {
  const { index, file, label, split, spec } = sample;
  const head = JSON.stringify({ index, file, label, split, width: spec.width, height: spec.height, channels: spec.channels });
  yield `${head.slice(0, -1)},"activations":[`;
  let first = true;
  for (const row of rows(sample)) {
    yield (first ? '' : ',') + JSON.stringify(row);
    first = false;
  }
  yield ']}';
}

function* csvChunks(sample: SamplePixels): Generator<string> {
  for (const row of rows(sample)) yield `${row.join(',')}\n`;
}

/** `{ index, file, label, split, width, height, channels, activations: [[…row…], …] }`, streamed. */
export const sampleJson = (sample: SamplePixels): Readable => Readable.from(jsonChunks(sample), { objectMode: false });

/** One line per pixel row; a pixel's channels side by side, as in the original pipeline's DataFrame. */
export const sampleCsv = (sample: SamplePixels): Readable => Readable.from(csvChunks(sample), { objectMode: false });
