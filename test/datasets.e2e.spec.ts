import sharp from 'sharp';
import { ApiError } from '#libs/client';
import { toActivations } from '#libs/preprocess';
import { animatedGif, encodeImage, solidPng, startSystem, zipOf } from '#libs/testing';

// Datasets through the real API and a real worker: every input form, the spec, and what comes back.
describe('datasets end to end', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    system = await startSystem({ workers: 1 });
  }, 60_000);
  afterAll(() => system?.stop());

  type Json = { activations: number[][]; label: string; file: string; split: string; channels: number };
  const sample = (id: string, index: number) => system.api.request<Json>('GET', `/datasets/${id}/samples/${index}`);
  const rgb = (data: number[]) => ({ width: 2, height: 2, channels: 3 as const, data });

  it('stores exactly the activations of known pixels: PNG, 16-bit, EXIF orientation, alpha over the background, WebP, TIFF, GIF, JPEG', async () => {
    const pixels = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
    const zip = await zipOf({
      'plain/rgb.png': await encodeImage(rgb(pixels), 'png'),
      'plain/deep.png': await encodeImage(rgb(pixels), 'png', { sixteenBit: true }),
      'plain/turned.png': await encodeImage(rgb(pixels), 'png', { orientation: 3 }),
      'clear/see-through.png': await encodeImage({ width: 2, height: 2, channels: 4, data: Array(16).fill(0) }, 'png'),
      'clear/webp.webp': await encodeImage(rgb(pixels), 'webp'),
      'clear/tiff.tif': await encodeImage(rgb(pixels), 'tiff'),
      'clear/first-frame.gif': await animatedGif([rgb(pixels), rgb(pixels.map((v) => 255 - v))]),
      'clear/photo.jpg': await encodeImage(rgb(pixels), 'jpeg'),
    });
    const upload = new FormData();
    upload.append('file', new Blob([zip]), 'rgb.zip');
    for (const [k, v] of Object.entries({ width: '2', height: '2', channels: '3', background: '#ffffff' })) upload.append(k, v);
    const rgbSet = await system.api.request<{ id: string }>('POST', '/datasets', upload);
    expect(await system.api.waitForDataset(rgbSet.id, 30_000)).toMatchObject({ status: 'READY', numSamples: 8, channels: 3 });
    const byFile = new Map<string, Json>();
    for (let i = 0; i < 8; i++) {
      const s = await sample(rgbSet.id, i);
      byFile.set(s.file, s);
    }
    const expected = (bytes: number[]) => [0, 1].map((y) => bytes.slice(y * 6, y * 6 + 6).map((b) => Math.fround(b / 255)));
    expect(byFile.get('plain/rgb.png')!.activations).toEqual(expected(pixels));
    expect(byFile.get('plain/deep.png')!.activations).toEqual(expected(pixels));
    expect(byFile.get('clear/webp.webp')!.activations).toEqual(expected(pixels));
    expect(byFile.get('clear/tiff.tif')!.activations).toEqual(expected(pixels));
    expect(byFile.get('clear/first-frame.gif')!.activations).toEqual(expected(pixels));
    // JPEG is lossy even at quality 100: within two levels of the source.
    byFile.get('clear/photo.jpg')!.activations.flat().forEach((a, i) => expect(Math.abs(a * 255 - pixels[i]!)).toBeLessThanOrEqual(2));
    // Orientation 3 is a half turn: the last pixel comes first.
    const turned = [3, 2, 1, 0].flatMap((p) => pixels.slice(p * 3, p * 3 + 3));
    expect(byFile.get('plain/turned.png')!.activations).toEqual(expected(turned));
    expect(byFile.get('clear/see-through.png')!.activations).toEqual(expected(Array(12).fill(255)));
  }, 60_000);

  it('serves a sample as a PNG that decodes to the same activations, and as CSV rows', async () => {
    const zip = await zipOf({ 'a/1.png': await encodeImage({ width: 3, height: 2, channels: 1, data: [0, 51, 102, 153, 204, 255] }, 'png'), 'b/1.png': await solidPng(9, 3) });
    const { id } = await system.api.uploadDataset(zip, { width: 3, height: 2 });
    await system.api.waitForDataset(id, 30_000);
    const json = await sample(id, 0);
    const response = await fetch(`${system.api.baseUrl}/datasets/${id}/samples/0?format=png`, { headers: system.api.authHeaders });
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    expect(await sharp(png).metadata()).toMatchObject({ width: 3, height: 2, channels: 1 });
    // sharp's raw output of a gray PNG is 3 channels unless asked for b-w.
    const data = await sharp(png).toColourspace('b-w').raw().toBuffer();
    expect(Array.from(toActivations(new Uint8Array(data)))).toEqual(json.activations.flat());
    expect(json.activations.flat()).toEqual([0, 51, 102, 153, 204, 255].map((b) => Math.fround(b / 255)));

    const csv = await (await fetch(`${system.api.baseUrl}/datasets/${id}/samples/0?format=csv`, { headers: system.api.authHeaders })).text();
    expect(csv.trim().split('\n').map((line) => line.split(',').map(Number))).toEqual(json.activations);
    await expect(sample(id, 2)).rejects.toMatchObject({ status: 400 });
  }, 60_000);

  it('reads a zip labelled by labels.csv and a multipart upload of files with labels', async () => {
    const manifest = await zipOf({ 'labels.csv': 'filename,label\nx.png,cat\ny.png,dog\nz.png,dog\n', 'x.png': await solidPng(10), 'y.png': await solidPng(200), 'z.png': await solidPng(220) });
    const fromManifest = await system.api.waitForDataset((await system.api.uploadDataset(manifest, { width: 4, height: 4 })).id, 30_000);
    expect(fromManifest).toMatchObject({ status: 'READY', classes: ['cat', 'dog'], numSamples: 3 });

    const form = new FormData();
    form.append('files', new Blob([await solidPng(30)]), 'one.png');
    form.append('files', new Blob([await solidPng(60)]), 'two.png');
    form.append('labels', '["left", "right"]');
    form.append('width', '4');
    form.append('height', '4');
    const { id } = await system.api.request<{ id: string }>('POST', '/datasets', form);
    expect(await system.api.waitForDataset(id, 30_000)).toMatchObject({ status: 'READY', classes: ['left', 'right'], numSamples: 2 });

    const missing = await zipOf({ 'labels.csv': 'filename,label\nghost.png,cat\n', 'x.png': await solidPng(10) });
    await expect(system.api.uploadDataset(missing)).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('ghost.png') } });
    const unlabelled = new FormData();
    unlabelled.append('files', new Blob([await solidPng(30)]), 'one.png');
    await expect(system.api.request('POST', '/datasets', unlabelled)).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('labels') } });
  }, 60_000);

  it('recognises a re-upload, reports duplicates and per-class split counts, and can fail on one bad file', async () => {
    const same = await solidPng(77);
    const files: Record<string, Buffer> = { 'a/dup-1.png': same, 'b/dup-2.png': same };
    for (let i = 0; i < 8; i++) {
      files[`a/${i}.png`] = await solidPng(i * 10);
      files[`b/${i}.png`] = await solidPng(250 - i * 10);
    }
    const zip = await zipOf(files);
    const first = await system.api.uploadDataset(zip, { width: 4, height: 4 });
    const dataset = await system.api.waitForDataset(first.id, 30_000);
    expect(dataset.duplicates).toEqual([['a/dup-1.png', 'b/dup-2.png']]);
    const { counts } = dataset as unknown as { counts: { perClass: Record<string, { train: number; validation: number; test: number; total: number }> } };
    expect(counts.perClass.a).toEqual({ train: 7, validation: 1, test: 1, total: 9 });
    expect(counts.perClass.b!.total).toBe(9);

    const again = await system.api.uploadDataset(zip, { width: 4, height: 4 });
    expect(again).toEqual({ id: first.id, status: 'READY', existing: true });

    const strict = new FormData();
    strict.append('file', new Blob([await zipOf({ 'a/ok.png': await solidPng(1), 'a/broken.png': Buffer.from('nope'), 'b/ok.png': await solidPng(2) })]), 'strict.zip');
    strict.append('failOnBadFile', 'true');
    const failed = await system.api.waitForDataset((await system.api.request<{ id: string }>('POST', '/datasets', strict)).id, 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toContain('a/broken.png');
  }, 60_000);

  it('lists files it cannot use and why: not an image, not in the manifest', async () => {
    const folders = await zipOf({ 'a/1.png': await solidPng(1), 'b/1.png': await solidPng(2), 'b/notes.txt': 'hello', 'b/1.bmp': 'BM' });
    const dataset = await system.api.waitForDataset((await system.api.uploadDataset(folders, { width: 4, height: 4 })).id, 30_000);
    expect(dataset).toMatchObject({ status: 'READY', numSamples: 2 });
    expect(dataset.skipped).toEqual([
      { file: 'b/1.bmp', reason: expect.stringContaining('not a supported image') },
      { file: 'b/notes.txt', reason: expect.stringContaining('not a supported image') },
    ]);

    const manifest = await zipOf({ 'labels.csv': 'filename,label\nx.png,cat\ny.png,dog\n', 'x.png': await solidPng(3), 'y.png': await solidPng(4), 'stray.png': await solidPng(5) });
    const listed = await system.api.waitForDataset((await system.api.uploadDataset(manifest, { width: 4, height: 4 })).id, 30_000);
    expect(listed.skipped).toEqual([{ file: 'stray.png', reason: 'not listed in labels.csv' }]);
  }, 60_000);

  it('refuses a bad spec before storing anything', async () => {
    const zip = await zipOf({ 'a/1.png': await solidPng(1), 'b/1.png': await solidPng(2) });
    const send = (fields: Record<string, string>) => {
      const form = new FormData();
      form.append('file', new Blob([zip]), 'x.zip');
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      return system.api.request('POST', '/datasets', form).catch((e: ApiError) => e);
    };
    expect(await send({ fit: 'squash' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('fit') } });
    expect(await send({ split: '0.5,0.6,0.1' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('split') } });
    expect(await send({ channels: '3', mean: '0.5' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('mean') } });
    expect(await send({ width: '0' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('width') } });
  });
});
