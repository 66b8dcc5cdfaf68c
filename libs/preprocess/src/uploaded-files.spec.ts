import { readArchive } from './archive.js';
import { ArchiveError } from './errors.js';
import { parseLabelsField } from './manifest.js';
import { archiveFromFiles, zipFromFiles } from './uploaded-files.js';
import { solidPng } from '#libs/testing';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    return (err as ArchiveError).code;
  }
  throw new Error('expected an ArchiveError');
}

describe('parseLabelsField', () => {
  it('reads a JSON array of strings or numbers', () => {
    expect(parseLabelsField(' ["cat", "dog, big", 3] ')).toEqual(['cat', 'dog, big', '3']);
  });

  it('reads a comma list, trimmed, with CSV quotes for labels holding commas', () => {
    expect(parseLabelsField('cat, dog ,"a, b"')).toEqual(['cat', 'dog', 'a, b']);
    expect(parseLabelsField('  ')).toEqual([]);
  });

  it('refuses bad JSON, arrays of other things, and more than one line', () => {
    expect(codeOf(() => parseLabelsField('[cat]'))).toBe('LABELS_INVALID');
    expect(codeOf(() => parseLabelsField('[["cat"]]'))).toBe('LABELS_INVALID');
    expect(codeOf(() => parseLabelsField('cat\ndog'))).toBe('LABELS_INVALID');
    expect(codeOf(() => parseLabelsField('"cat'))).toBe('LABELS_INVALID');
  });
});

describe('archiveFromFiles', () => {
  it('gives an Archive labelled one to one, sorted by name like a zip', async () => {
    const [a, b, c] = await Promise.all([solidPng(10), solidPng(20), solidPng(30)]);
    const archive = archiveFromFiles(
      [
        { name: 'z.png', buffer: a },
        { name: 'b.png', buffer: b },
        { name: 'm.png', buffer: c },
      ],
      'dog,cat,dog',
    );
    expect(archive.classes).toEqual(['cat', 'dog']);
    expect(archive.images.map((i) => [i.path, i.label, i.size])).toEqual([
      ['b.png', 'cat', b.length],
      ['m.png', 'dog', c.length],
      ['z.png', 'dog', a.length],
    ]);
    expect(await archive.images[2].read()).toBe(a);
    expect(archive.skipped).toEqual([]);
  });

  it('numbers repeated names (ignoring case) and keeps names a zip can hold', () => {
    const buffer = Buffer.from('x');
    const names = archiveFromFiles(
      ['a.png', 'a.png', 'A.png', 'dir/../../x.png', '.hidden.png', 'labels.csv', ''].map((name) => ({ name, buffer })),
      ['1', '1', '1', '1', '1', '1', '1'],
    ).images.map((i) => i.path);
    expect(names.sort()).toEqual(['A (3).png', 'a (2).png', 'a.png', 'file', 'hidden.png', 'labels (2).csv', 'x.png'].sort());
  });

  it('refuses a count mismatch, an empty label, no files and uploads over the limits', () => {
    const files = [{ name: 'a.png', buffer: Buffer.alloc(10) }, { name: 'b.png', buffer: Buffer.alloc(10) }];
    expect(codeOf(() => archiveFromFiles(files, ['cat']))).toBe('LABELS_INVALID');
    expect(codeOf(() => archiveFromFiles(files, 'cat,dog,cow'))).toBe('LABELS_INVALID');
    expect(codeOf(() => archiveFromFiles(files, ['cat', ' ']))).toBe('EMPTY_LABEL');
    expect(codeOf(() => archiveFromFiles([], []))).toBe('NO_IMAGES');
    expect(codeOf(() => archiveFromFiles(files, ['a', 'b'], { maxEntries: 1 }))).toBe('TOO_LARGE');
    expect(codeOf(() => archiveFromFiles(files, ['a', 'b'], { maxUncompressedBytes: 15 }))).toBe('TOO_LARGE');
  });
});

describe('zipFromFiles', () => {
  it('packs the upload into a manifest zip that readArchive reads back as archiveFromFiles does', async () => {
    const files = [
      { name: 'b.png', buffer: await solidPng(20) },
      { name: 'a "quoted", name.png', buffer: await solidPng(10) },
      { name: 'b.png', buffer: await solidPng(30) },
    ];
    const labels = '["dog","cat, big","dog"]';

    const fromZip = await readArchive(await zipFromFiles(files, labels));
    const direct = archiveFromFiles(files, labels);

    expect(fromZip.classes).toEqual(direct.classes);
    expect(fromZip.images.map((i) => [i.path, i.label])).toEqual(direct.images.map((i) => [i.path, i.label]));
    expect(await Promise.all(fromZip.images.map((i) => i.read()))).toEqual(await Promise.all(direct.images.map((i) => i.read())));
    expect(fromZip.skipped).toEqual([]);
    fromZip.close();
  });

  it('refuses what archiveFromFiles refuses', async () => {
    await expect(zipFromFiles([{ name: 'a.png', buffer: Buffer.alloc(1) }], '')).rejects.toMatchObject({ code: 'LABELS_INVALID' });
  });
});
