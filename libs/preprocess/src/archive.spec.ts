import { inspectArchive, readArchive } from './archive.js';
import { ArchiveError } from './errors.js';
import { renameEntry, solidPng, zipOf } from '#libs/testing';

async function rejection(promise: Promise<unknown>): Promise<ArchiveError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    return err as ArchiveError;
  }
  throw new Error('expected a rejection');
}

describe('readArchive', () => {
  it('labels each image by its class folder and sorts classes and images', async () => {
    const [a, b, c] = await Promise.all([solidPng(10), solidPng(20), solidPng(30)]);
    const zip = await zipOf({ 'square/2.png': b, 'circle/1.png': a, 'square/1.PNG': c });

    const archive = await readArchive(zip);

    expect(archive.classes).toEqual(['circle', 'square']);
    expect(archive.images.map((i) => [i.path, i.label])).toEqual([
      ['circle/1.png', 'circle'],
      ['square/1.PNG', 'square'],
      ['square/2.png', 'square'],
    ]);
    expect(await archive.images[2].read()).toEqual(b);
    expect(archive.skipped).toEqual([]);
    archive.close();
  });

  it('inflates compressed entries on demand', async () => {
    const png = await solidPng(77, 32);
    const archive = await readArchive(await zipOf({ 'a/x.png': png }, true));
    expect(await archive.images[0].read()).toEqual(png);
    archive.close();
  });

  it('strips a wrapper folder that every class folder sits in, keeping the full path', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'shapes/': '', 'shapes/circle/1.png': png, 'shapes/square/1.png': png });

    const archive = await readArchive(zip);

    expect(archive.classes).toEqual(['circle', 'square']);
    expect(archive.images.map((i) => i.path)).toEqual(['shapes/circle/1.png', 'shapes/square/1.png']);
  });

  it('ignores directories, macOS metadata, dotfiles and files that are not images', async () => {
    const png = await solidPng();
    const zip = await zipOf({
      'cat/': '',
      'cat/1.jpg.txt': 'notes',
      'cat/.DS_Store': 'x',
      'cat/._1.png': 'resource fork',
      '__MACOSX/cat/._1.png': 'resource fork',
      '.hidden/dog/1.png': png,
      'README.md': 'hello',
      'cat/1.png': png,
      'dog/2.webp': png,
    });

    const archive = await readArchive(zip);

    expect(archive.images.map((i) => i.path)).toEqual(['cat/1.png', 'dog/2.webp']);
  });

  it('rejects an image at the top level, naming it', async () => {
    const png = await solidPng();
    const err = await rejection(readArchive(await zipOf({ 'cat/1.png': png, 'stray.png': png })));
    expect(err.code).toBe('OUTSIDE_CLASS_FOLDER');
    expect(err.message).toContain('stray.png');
  });

  it('rejects an image nested deeper than class/file, naming it', async () => {
    const png = await solidPng();
    const err = await rejection(readArchive(await zipOf({ 'cat/1.png': png, 'dog/puppies/2.png': png })));
    expect(err.code).toBe('OUTSIDE_CLASS_FOLDER');
    expect(err.message).toContain('dog/puppies/2.png');
  });

  it('rejects bytes that are not a zip', async () => {
    expect((await rejection(readArchive(Buffer.from('just some text')))).code).toBe('NOT_A_ZIP');
    expect((await rejection(readArchive(Buffer.alloc(0)))).code).toBe('NOT_A_ZIP');
    expect((await rejection(readArchive(await solidPng()))).code).toBe('NOT_A_ZIP');
  });

  it('rejects a zip with no images', async () => {
    const err = await rejection(readArchive(await zipOf({ 'notes/a.txt': 'hi', 'empty/': '' })));
    expect(err.code).toBe('NO_IMAGES');
  });

  it('rejects an entry that climbs out of the archive with "..", as our error', async () => {
    const zip = renameEntry(await zipOf({ 'cat/1.png': await solidPng(), 'xx/evil.png': 'x' }), 'xx/evil.png', '../evil.png');
    const err = await rejection(readArchive(zip));
    expect(err.code).toBe('UNSAFE_PATH');
    expect(err.message).toContain('../evil.png');
  });

  it('rejects an absolute entry name, even one that is not an image', async () => {
    const zip = renameEntry(await zipOf({ 'cat/1.png': await solidPng(), 'xetc/passwd': 'x' }), 'xetc/passwd', '/etc/passwd');
    const err = await rejection(readArchive(zip));
    expect(err.code).toBe('UNSAFE_PATH');
    expect(err.message).toContain('/etc/passwd');
  });

  it('rejects archives over the entry or size limits before inflating anything', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'cat/1.png': png, 'cat/2.png': png });
    expect((await rejection(readArchive(zip, { maxEntries: 1 }))).code).toBe('TOO_LARGE');
    const err = await rejection(readArchive(zip, { maxUncompressedBytes: png.length + 1 }));
    expect(err.code).toBe('TOO_LARGE');
    expect(err.message).toContain('cat/2.png');
  });

  it('reports an entry whose compressed data is damaged when it is read', async () => {
    const content = Buffer.alloc(4096, 'abcdefgh');
    const zip = await zipOf({ 'cat/1.png': content }, true);
    const damaged = Buffer.from(zip);
    // Local header: 30 fixed bytes, then the name and extra field whose lengths sit at offsets 26 and 28.
    const dataStart = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    damaged.fill(0xff, dataStart, dataStart + 8);

    const archive = await readArchive(damaged);
    const err = await rejection(archive.images[0].read());

    expect(err.code).toBe('CORRUPT_ENTRY');
    expect(err.message).toContain('cat/1.png');
  });

  it('refuses an entry that inflates to more or fewer bytes than the zip declares', async () => {
    const content = Buffer.alloc(4096, 'abcdefgh');
    const zip = await zipOf({ 'cat/1.png': content }, true);
    for (const declared of [content.length - 1, content.length + 1]) {
      const lying = Buffer.from(zip);
      // The central directory's uncompressed size (offset 24 of its entry) is what the reader trusts.
      lying.writeUInt32LE(declared, lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
      const err = await rejection((await readArchive(lying)).images[0].read());
      expect(err.code).toBe('CORRUPT_ENTRY');
      expect(err.message).toContain(`expected ${declared} bytes`);
    }
  });

  it('refuses reads after close', async () => {
    const archive = await readArchive(await zipOf({ 'cat/1.png': await solidPng() }));
    archive.close();
    expect((await rejection(archive.images[0].read())).code).toBe('CORRUPT_ENTRY');
  });
});

describe('inspectArchive', () => {
  it('summarises classes and sizes from the directory alone', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'data/cat/1.png': png, 'data/cat/2.png': png, 'data/dog/1.gif': png });

    expect(await inspectArchive(zip)).toEqual({
      classes: ['cat', 'dog'],
      imageCount: 3,
      imagesPerClass: { cat: 2, dog: 1 },
      uncompressedBytes: 3 * png.length,
      layout: 'folders',
    });
  });

  it('rejects what readArchive rejects', async () => {
    expect((await rejection(inspectArchive(Buffer.from('nope')))).code).toBe('NOT_A_ZIP');
  });
});

describe('readArchive with a labels.csv manifest', () => {
  it('labels images by the manifest wherever they sit, and skips images it does not list', async () => {
    const [a, b, c] = await Promise.all([solidPng(10), solidPng(20), solidPng(30)]);
    const zip = await zipOf({
      'labels.csv': 'filename,label\nimg/b.png,dog\nimg/a.png,cat\ndeep/er/c.png,dog\n',
      'img/a.png': a,
      'img/b.png': b,
      'deep/er/c.png': c,
      'img/extra.png': a,
      'notes.txt': 'not an image, not listed, not reported',
    });

    const archive = await readArchive(zip);

    expect(archive.classes).toEqual(['cat', 'dog']);
    expect(archive.images.map((i) => [i.path, i.label])).toEqual([
      ['deep/er/c.png', 'dog'],
      ['img/a.png', 'cat'],
      ['img/b.png', 'dog'],
    ]);
    expect(await archive.images[0].read()).toEqual(c);
    expect(archive.skipped).toEqual([{ file: 'img/extra.png', code: 'NOT_IN_MANIFEST', reason: 'not listed in labels.csv' }]);
    archive.close();
  });

  it('reads a manifest without a header, with quotes, a BOM, CRLF, blank lines and Windows separators', async () => {
    const png = await solidPng();
    const csv = '\ufeff"a, the first.png","big cat"\r\n\r\n sub\\b.png , "say ""hi"""\r\n';
    const archive = await readArchive(await zipOf({ 'LABELS.CSV': csv, 'a, the first.png': png, 'sub/b.png': png }));
    expect(archive.images.map((i) => [i.path, i.label])).toEqual([
      ['a, the first.png', 'big cat'],
      ['sub/b.png', 'say "hi"'],
    ]);
  });

  it('takes a header naming its columns in any order, with extra columns', async () => {
    const png = await solidPng();
    const archive = await readArchive(await zipOf({ 'labels.csv': 'Class,notes,Path\ncat,x,1.png\n', '1.png': png }));
    expect(archive.images.map((i) => [i.path, i.label])).toEqual([['1.png', 'cat']]);
  });

  it('reads a manifest inside the one folder everything sits in, relative to it', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'data/labels.csv': '1.png,cat\n', 'data/1.png': png, 'data/2.png': png });
    const archive = await readArchive(zip);
    expect(archive.images.map((i) => [i.path, i.label])).toEqual([['data/1.png', 'cat']]);
    expect(await inspectArchive(zip)).toEqual({
      classes: ['cat'],
      imageCount: 1,
      imagesPerClass: { cat: 1 },
      uncompressedBytes: png.length,
      layout: 'manifest',
    });
  });

  it('ignores a labels.csv inside one class folder of a folder layout', async () => {
    const png = await solidPng();
    const archive = await readArchive(await zipOf({ 'cat/labels.csv': 'x,y\n', 'cat/1.png': png, 'dog/1.png': png }));
    expect(archive.classes).toEqual(['cat', 'dog']);
  });

  it('rejects a manifest naming files the zip does not hold, naming them and their lines', async () => {
    const zip = await zipOf({ 'labels.csv': 'a.png,cat\nmissing.png,cat\nlabels.csv,cat\n', 'a.png': await solidPng() });
    const err = await rejection(readArchive(zip));
    expect(err.code).toBe('MISSING_FILE');
    expect(err.message).toContain('"missing.png" (line 2)');
    expect(err.message).toContain('"labels.csv" (line 3)');
  });

  it('rejects an empty label, naming the line and file', async () => {
    const zip = await zipOf({ 'labels.csv': 'filename,label\na.png,cat\nb.png, \n', 'a.png': await solidPng(), 'b.png': await solidPng() });
    const err = await rejection(readArchive(zip));
    expect(err.code).toBe('EMPTY_LABEL');
    expect(err.message).toBe('labels.csv line 3 gives "b.png" an empty label');
  });

  it('rejects broken CSV, wrong column counts, repeated files and an empty manifest', async () => {
    const png = await solidPng();
    const code = async (csv: string) => (await rejection(readArchive(await zipOf({ 'labels.csv': csv, 'a.png': png })))).code;
    expect(await code('a.png,"cat\n')).toBe('MANIFEST_INVALID');
    expect(await code('a.png,cat,extra\n')).toBe('MANIFEST_INVALID');
    expect(await code('a.png,cat\nb.png\n')).toBe('MANIFEST_INVALID');
    expect(await code('a.png,cat\n./a.png,dog\n')).toBe('MANIFEST_INVALID');
    expect(await code(',cat\n')).toBe('MANIFEST_INVALID');
    expect(await code('\n\n')).toBe('NO_IMAGES');
    expect(await code('filename,label\n')).toBe('NO_IMAGES');
  });

  it('rejects a manifest naming a path outside the archive', async () => {
    const zip = await zipOf({ 'labels.csv': '../etc/passwd,cat\n', 'a.png': await solidPng() });
    expect((await rejection(readArchive(zip))).code).toBe('UNSAFE_PATH');
  });

  it('rejects two manifests at the same depth', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'labels.csv': 'a.png,cat\n', 'Labels.csv': 'a.png,dog\n', 'a.png': png });
    expect((await rejection(readArchive(zip))).code).toBe('MANIFEST_INVALID');
  });

  it('applies the size limit to listed images only', async () => {
    const png = await solidPng();
    const zip = await zipOf({ 'labels.csv': 'a.png,cat\n', 'a.png': png, 'b.png': png });
    expect((await readArchive(zip, { maxUncompressedBytes: png.length })).images).toHaveLength(1);
  });
});
