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
    });
  });

  it('rejects what readArchive rejects', async () => {
    expect((await rejection(inspectArchive(Buffer.from('nope')))).code).toBe('NOT_A_ZIP');
  });
});
