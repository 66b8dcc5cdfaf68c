import { readArchive, type ArchiveImage } from './archive.js';
import { preprocessArchive } from './preprocessed-dataset.js';
import { grayPng, solidPng, zipOf } from '#libs/testing';

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
    expect(dataset.skipped).toEqual([{ file: 'cat/2.png', reason: expect.stringContaining('cannot decode image') }]);
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
});
