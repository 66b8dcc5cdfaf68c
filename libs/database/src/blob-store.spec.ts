import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase } from '#libs/testing';
import { BlobStore } from './blob-store.js';
import { parseDatabaseUrl } from './connection.js';
import { PrismaClient } from './generated/client.js';
import { PgBinary } from './pg-binary.js';
import { SampleStore } from './sample-store.js';

describe('the blob store', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: PgBinary;
  let blobs: BlobStore;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new PgBinary(db.url);
    blobs = new BlobStore(pg);
    const { connectionString, schema } = parseDatabaseUrl(db.url);
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }, { schema }) });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await pg.onApplicationShutdown();
    await db.drop();
  });

  /** Uneven pieces, as a socket or a file stream hands them over. */
  async function* piecesOf(bytes: Buffer) {
    for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 7919) % 100_003 + 1) yield bytes.subarray(at, at + n);
  }

  it('gives back every byte of arrays and streams, across chunk edges, with the size recorded', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    for (const source of [bytes, piecesOf(bytes)]) {
      const stored = await blobs.write(source, undefined, 1024 * 1024);
      expect(stored.size).toBe(bytes.length);
      expect(await blobs.size(stored.id)).toBe(bytes.length);
      expect((await blobs.read(stored.id)).equals(bytes)).toBe(true);
      expect(await prisma.blobChunk.count({ where: { blobId: stored.id } })).toBe(4);
    }
    const empty = await blobs.write(new Uint8Array(0));
    expect((await blobs.read(empty.id)).length).toBe(0);
  });

  it('gives back each piece by number, and refuses one it does not hold', async () => {
    const bytes = randomBytes(2500);
    const { id } = await blobs.write(bytes, undefined, 1000);
    const pieces = await blobs.pieces(id);
    expect(pieces).toMatchObject({ size: 2500, blockBytes: 1000 });
    for (const seq of [0, 1, 2]) expect((await pieces.block(seq)).equals(bytes.subarray(seq * 1000, (seq + 1) * 1000))).toBe(true);
    await expect(pieces.block(3)).rejects.toThrow('has no chunk 3');
  });

  it('deletes a blob with the row that owns it, and sweeps blobs no row owns', async () => {
    const owned = await blobs.write(randomBytes(10));
    const dataset = await prisma.dataset.create({
      data: { name: 'd', width: 1, height: 1, classes: [], upload: { create: { fileName: 'x.zip', blobId: owned.id } } },
    });
    const orphan = await blobs.write(randomBytes(10));
    expect(await blobs.sweep(60_000)).toBe(0); // young orphans may still be about to be attached
    expect(await blobs.sweep(0)).toBeGreaterThanOrEqual(1);
    expect(await prisma.blob.count({ where: { id: orphan.id } })).toBe(0);
    expect(await prisma.blob.count({ where: { id: owned.id } })).toBe(1);
    await prisma.dataset.delete({ where: { id: dataset.id } });
    expect(await prisma.blob.count({ where: { id: owned.id } })).toBe(0);
    expect(await prisma.blobChunk.count({ where: { blobId: owned.id } })).toBe(0);
  });

  it('writes nothing when the source fails part way', async () => {
    const before = await prisma.blob.count();
    async function* failing() {
      yield randomBytes(2048);
      throw new Error('client went away');
    }
    await expect(blobs.write(failing(), undefined, 1024)).rejects.toThrow('client went away');
    expect(await prisma.blob.count()).toBe(before);
  });

  it('stores and reads samples by binary COPY, bytes and text intact', async () => {
    const samples = new SampleStore(pg);
    const dataset = await prisma.dataset.create({ data: { name: 's', width: 2, height: 2, classes: ['a', 'b'] } });
    const rows = Array.from({ length: 300 }, (_, i) => ({ index: i * 2, label: i % 2, file: `été/${i}.png`, sha256: i % 3 ? null : 'f'.repeat(64), pixels: randomBytes(4) }));
    const indices = Array.from({ length: 1000 }, (_, i) => i);
    await samples.replace(dataset.id, indices, rows);
    await samples.replace(dataset.id, indices, rows); // a chunk run twice leaves the same rows
    const back = [];
    for await (const s of samples.read(dataset.id)) back.push({ ...s, pixels: Buffer.from(s.pixels) });
    expect(back.map((s) => [s.index, s.label, s.file, s.split])).toEqual(rows.map((r) => [r.index, r.label, r.file, 'train']));
    expect(back.every((s, i) => s.pixels.equals(rows[i]!.pixels))).toBe(true);
    const stored = await prisma.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { index: 'asc' }, select: { sha256: true } });
    expect(stored.map((s) => s.sha256)).toEqual(rows.map((r) => r.sha256));
    const window = [];
    for await (const s of samples.read(dataset.id, { offset: 10, limit: 2 })) window.push(s.index);
    expect(window).toEqual([20, 22]);
  });

  it('replaces a whole chunk run again: the rows of the second run, once each', async () => {
    const samples = new SampleStore(pg);
    const dataset = await prisma.dataset.create({ data: { name: 'r', width: 2, height: 1, classes: ['a'] } });
    // Out of order, and MBs of rows: the duplicate key is refused while the COPY is still streaming.
    const indices = Array.from({ length: 3000 }, (_, i) => (i * 7) % 3000);
    const run = (byte: number) => indices.map((index) => ({ index, label: 0, file: `${index}.png`, sha256: null, pixels: Buffer.alloc(1000, byte + index) }));
    await samples.replace(dataset.id, indices, run(1));
    await samples.replace(dataset.id, indices, run(2));
    const back = [];
    for await (const s of samples.read(dataset.id)) back.push([s.index, s.pixels[0]]);
    expect(back).toEqual(Array.from({ length: 3000 }, (_, index) => [index, (2 + index) & 0xff]));
  });

  it('packs a dataset\'s samples for training in one read: index order, the test split apart, split names as codes', async () => {
    const samples = new SampleStore(pg);
    const dataset = await prisma.dataset.create({ data: { name: 'p', width: 3, height: 1, classes: ['a', 'b', 'c'] } });
    const rows = Array.from({ length: 50 }, (_, i) => ({ index: i, label: i % 3, file: `${i}.png`, sha256: null, pixels: randomBytes(3) }));
    await samples.replace(dataset.id, rows.map((r) => r.index), rows);
    const splitOf = (i: number) => (i % 5 === 0 ? 'test' : i % 5 === 1 ? 'validation' : 'train');
    for (const name of ['test', 'validation'] as const) {
      await prisma.sample.updateMany({ where: { datasetId: dataset.id, index: { in: rows.map((r) => r.index).filter((i) => splitOf(i) === name) } }, data: { split: name } });
    }
    const packed = await samples.readPacked(dataset.id, 3, { train: 0, validation: 1, test: 2 });
    const rest = rows.filter((r) => splitOf(r.index) !== 'test');
    const test = rows.filter((r) => splitOf(r.index) === 'test');
    expect(Array.from(packed!.rest.indices)).toEqual(rest.map((r) => r.index));
    expect(Array.from(packed!.rest.labels)).toEqual(rest.map((r) => r.label));
    expect(Array.from(packed!.rest.split)).toEqual(rest.map((r) => (splitOf(r.index) === 'validation' ? 1 : 0)));
    expect(Buffer.from(packed!.rest.pixels).equals(Buffer.concat(rest.map((r) => r.pixels)))).toBe(true);
    expect(Array.from(packed!.test.indices)).toEqual(test.map((r) => r.index));
    expect(Array.from(packed!.test.split)).toEqual(test.map(() => 2));
    expect(Buffer.from(packed!.test.pixels).equals(Buffer.concat(test.map((r) => r.pixels)))).toBe(true);
    // A sample of another size than the caller expects: the dataset is not what it was asked for.
    expect(await samples.readPacked(dataset.id, 4, { train: 0, validation: 1, test: 2 })).toBeNull();
  });
});
