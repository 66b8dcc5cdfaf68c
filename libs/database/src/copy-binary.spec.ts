import { copyRows, copyStream } from './copy-binary.js';

const rows = [
  [Buffer.from('a'), null, Buffer.alloc(300, 7)],
  [Buffer.alloc(0), Buffer.from('héllo'), null],
  [Buffer.alloc(5000, 1), Buffer.from([1, 2, 3]), Buffer.from('z')],
];

async function roundTrip(batchBytes: number): Promise<{ pieces: number; decoded: (Buffer | null)[][] }> {
  const pieces: Buffer[] = [];
  for await (const piece of copyStream(rows, batchBytes)) pieces.push(Buffer.from(piece));
  const decoded: (Buffer | null)[][] = [];
  for await (const row of copyRows((async function* () { yield* pieces; })())) decoded.push(row);
  return { pieces: pieces.length, decoded };
}

describe('copyStream', () => {
  it('packs many rows into one write and reads back the same fields', async () => {
    const { pieces, decoded } = await roundTrip(1024 ** 2);
    expect(pieces).toBe(1);
    expect(decoded).toEqual(rows);
  });

  it('starts a new write when a row does not fit, and sizes it for a row larger than a batch', async () => {
    const { pieces, decoded } = await roundTrip(400);
    expect(pieces).toBeGreaterThan(2);
    expect(decoded).toEqual(rows);
  });
});
