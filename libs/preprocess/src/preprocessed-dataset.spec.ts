import { createHash } from 'node:crypto';
import { ZodError } from 'zod';
import { readArchive, type ArchiveImage } from './archive.js';
import { ArchiveError } from './errors.js';
import { preprocessArchive } from './preprocessed-dataset.js';
import { archiveFromFiles } from './uploaded-files.js';
import { encodeImage, grayPng, solidPng, zipOf } from '#libs/testing';

const size = { width: 2, height: 2 };

describe('preprocessArchive', () => {
  it('turns every image into pixels, indexed 0..n-1 in path order with class-index labels', async () => {
    const zip = await zipOf({
      'b/2.png': await solidPng(40),
      'a/1.png': await grayPng(2, 2, [1, 2, 3, 4]),
      'b/1.png': await solidPng(30),
    });
    const archive = await readArchive(zip);

    const dataset = await preprocessArchive(archive, size);

    expect(dataset.classes).toEqual(['a', 'b']);
    expect(dataset.samples.map(({ index, label, file }) => ({ index, label, file }))).toEqual([
      { index: 0, label: 0, file: 'a/1.png' },
      { index: 1, label: 1, file: 'b/1.png' },
      { index: 2, label: 1, file: 'b/2.png' },
    ]);
    expect(dataset.samples.map((s) => [...s.pixels])).toEqual([
      [1, 2, 3, 4],
      [30, 30, 30, 30],
      [40, 40, 40, 40],
    ]);
    expect(dataset.skipped).toEqual([]);
    expect(dataset.emptyClasses).toEqual([]);
  });

  it('skips a corrupt image with its name and reason and keeps indices contiguous', async () => {
    const zip = await zipOf({
      'cat/1.png': await solidPng(10),
      'cat/2.png': 'this is not a png',
      'cat/3.png': await solidPng(30),
    });

    const dataset = await preprocessArchive(await readArchive(zip), size);

    expect(dataset.samples.map((s) => [s.index, s.file])).toEqual([
      [0, 'cat/1.png'],
      [1, 'cat/3.png'],
    ]);
    expect(dataset.skipped).toEqual([{ file: 'cat/2.png', code: 'CORRUPT', reason: expect.stringContaining('cannot decode image') }]);
  });

  it('keeps a class whose every image was skipped and reports it as empty', async () => {
    const zip = await zipOf({ 'cat/1.png': await solidPng(), 'dog/1.png': 'broken' });

    const dataset = await preprocessArchive(await readArchive(zip), size);

    expect(dataset.classes).toEqual(['cat', 'dog']);
    expect(dataset.samples.map((s) => s.label)).toEqual([0]);
    expect(dataset.emptyClasses).toEqual(['dog']);
  });

  it('gives the same result at any concurrency and reports progress for every image', async () => {
    const entries: Record<string, Buffer> = {};
    for (let i = 0; i < 20; i++) entries[`c${i % 3}/${String(i).padStart(2, '0')}.png`] = await solidPng(i * 10);
    const archive = await readArchive(await zipOf(entries));
    const progress: number[] = [];

    const serial = await preprocessArchive(archive, size, { concurrency: 1 });
    const parallel = await preprocessArchive(archive, size, { concurrency: 8, onProgress: (done) => progress.push(done) });

    expect(parallel).toEqual(serial);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('rejects on failures that are not about one image', async () => {
    const broken: ArchiveImage = { path: 'a/1.png', label: 'a', size: 1, read: () => Promise.reject(new TypeError('bug')) };
    await expect(preprocessArchive({ classes: ['a'], images: [broken] }, size)).rejects.toThrow('bug');
  });

  it('returns the spec with its defaults, and fails on an invalid one before reading anything', async () => {
    const archive = await readArchive(await zipOf({ 'a/1.png': await solidPng() }));
    expect((await preprocessArchive(archive, size)).spec).toEqual({
      width: 2,
      height: 2,
      fit: 'fill',
      channels: 1,
      background: '#ffffff',
      split: { train: 0.8, validation: 0.1, test: 0.1 },
      seed: 0,
    });
    await expect(preprocessArchive(archive, { width: 0, height: 2 })).rejects.toBeInstanceOf(ZodError);
  });

  it('applies fit, channels and background from the spec', async () => {
    const rgba = await encodeImage({ width: 1, height: 1, channels: 4, data: [0, 0, 0, 0] }, 'png');
    const archive = archiveFromFiles([{ name: 'x.png', buffer: rgba }], ['a']);
    const dataset = await preprocessArchive(archive, { width: 1, height: 2, channels: 3, background: '#102030', fit: 'contain' });
    expect([...dataset.samples[0].pixels]).toEqual([16, 32, 48, 16, 32, 48]);
  });

  it('hashes each file and reports groups of identical files', async () => {
    const [one, two] = await Promise.all([solidPng(1), solidPng(2)]);
    const zip = await zipOf({ 'a/1.png': one, 'a/2.png': two, 'b/1-again.png': one, 'b/2-again.png': two, 'b/3.png': await solidPng(3) });

    const dataset = await preprocessArchive(await readArchive(zip), size);

    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(dataset.samples.map((s) => s.sha256)).toEqual([sha(one), sha(two), sha(one), sha(two), expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(dataset.duplicates).toEqual([
      { sha256: sha(one), files: ['a/1.png', 'b/1-again.png'], indices: [0, 2] },
      { sha256: sha(two), files: ['a/2.png', 'b/2-again.png'], indices: [1, 3] },
    ]);
  });

  it('splits by class from the spec and counts samples per class and split', async () => {
    const entries: Record<string, Buffer> = {};
    for (let i = 0; i < 30; i++) entries[`${i < 20 ? 'cat' : 'dog'}/${String(i).padStart(2, '0')}.png`] = await solidPng(i);
    const archive = await readArchive(await zipOf({ ...entries, 'emu/broken.png': 'x' }));
    const spec = { ...size, split: { train: 0.5, validation: 0.3, test: 0.2 }, seed: 9 };

    const dataset = await preprocessArchive(archive, spec);

    expect(dataset.counts).toEqual({
      total: 30,
      perSplit: { train: 15, validation: 9, test: 6 },
      perClass: {
        cat: { total: 20, train: 10, validation: 6, test: 4 },
        dog: { total: 10, train: 5, validation: 3, test: 2 },
        emu: { total: 0, train: 0, validation: 0, test: 0 },
      },
    });
    expect(dataset.emptyClasses).toEqual(['emu']);
    expect((await preprocessArchive(archive, spec)).samples.map((s) => s.split)).toEqual(dataset.samples.map((s) => s.split));
  });

  it('lists images a manifest leaves out among the skipped files, with their code', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'labels.csv': 'a.png,cat\n', 'a.png': png, 'b.png': png });
    const dataset = await preprocessArchive(await readArchive(zip), size);
    expect(dataset.samples.map((s) => s.file)).toEqual(['a.png']);
    expect(dataset.skipped).toEqual([{ file: 'b.png', code: 'NOT_IN_MANIFEST', reason: 'not listed in labels.csv' }]);
  });

  it('fails the whole dataset on the first bad image when asked to, naming it', async () => {
    const zip = await zipOf({ 'cat/1.png': await solidPng(), 'cat/2.png': 'not a png' });
    const failure = preprocessArchive(await readArchive(zip), size, { failOnBadImage: true });
    await expect(failure).rejects.toBeInstanceOf(ArchiveError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_IMAGE', message: expect.stringContaining('cat/2.png') });
  });
});
