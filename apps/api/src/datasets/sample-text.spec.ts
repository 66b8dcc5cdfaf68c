import { buffer } from 'node:stream/consumers';
import { DEFAULT_PREPROCESS_SPEC, MAX_INPUT_SIZE } from '#libs/preprocess';
import { sampleCsv, sampleJson, type SamplePixels } from './sample-text.js';

function sample(width: number, height: number, channels: 1 | 3): SamplePixels {
  const pixels = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 7) % 256);
  return { index: 3, file: 'a/x.png', label: 'a', split: 'test', pixels, spec: { ...DEFAULT_PREPROCESS_SPEC, width, height, channels } };
}

describe('the JSON and CSV views of a sample', () => {
  it('give every activation, one array or line per pixel row, channels side by side', async () => {
    const s = sample(2, 3, 3);
    const json = JSON.parse((await buffer(sampleJson(s))).toString());
    expect(json).toEqual({ index: 3, file: 'a/x.png', label: 'a', split: 'test', width: 2, height: 3, channels: 3, activations: expect.any(Array) });
    expect(json.activations).toHaveLength(3);
    expect(json.activations.flat()).toEqual(Array.from(s.pixels, (p) => Math.fround(p / 255)));
    const csv = (await buffer(sampleCsv(s))).toString();
    expect(csv.split('\n')).toEqual([...json.activations.map((row: number[]) => row.join(',')), '']);
  });

  it('are produced a pixel row at a time, never as one string the size of the sample', async () => {
    const s = sample(1024, MAX_INPUT_SIZE / 1024, 1);
    let largest = 0;
    let total = 0;
    for await (const chunk of sampleJson(s)) {
      largest = Math.max(largest, chunk.length);
      total += chunk.length;
    }
    // The largest sample a spec allows: a row is 1,024 activations of ≤ 20 characters (~20 KB), the answer ~20 MB.
    expect(total).toBeGreaterThan(8_000_000);
    expect(largest).toBeLessThan(25_000);
  });
});
