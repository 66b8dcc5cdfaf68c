// Postgres' binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4):
// bytes go to and from the server as bytes, never as text, and many rows travel in one round trip.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The stream's header: signature, no flags, no extension. */
export function copyHeader(): Buffer {
  return Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
}

/** The stream's end: a tuple of -1 fields. */
export function copyTrailer(): Buffer {
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  return trailer;
}

/** One row: its field count, then each field as its length and bytes (null: length -1). */
export function copyRow(fields: (Uint8Array | null)[]): Buffer[] {
  const lengths = Buffer.alloc(2 + 4 * fields.length);
  lengths.writeInt16BE(fields.length);
  const out: Buffer[] = [];
  let at = 2;
  let start = 0;
  fields.forEach((field) => {
    lengths.writeInt32BE(field === null ? -1 : field.byteLength, at);
    at += 4;
    out.push(lengths.subarray(start, at));
    start = at;
    if (field) out.push(Buffer.from(field.buffer, field.byteOffset, field.byteLength));
  });
  return out;
}

export const int4 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
export const text = (value: string): Buffer => Buffer.from(value, 'utf8');
export const uuid = (value: string): Buffer => Buffer.from(value.replaceAll('-', ''), 'hex');

/** Reads exactly n bytes at a time from a stream of pieces; a field inside one piece is a view, not a copy. */
class Pieces {
  private queue: Buffer[] = [];
  private queued = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  async take(n: number): Promise<Buffer> {
    while (this.queued < n) {
      const next = await this.source.next();
      if (next.done) throw new Error(`COPY stream ended ${n - this.queued} bytes early`);
      this.queue.push(next.value);
      this.queued += next.value.length;
    }
    this.queued -= n;
    const first = this.queue[0]!;
    if (first.length >= n) {
      if (first.length === n) this.queue.shift();
      else this.queue[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let at = 0; at < n; ) {
      const head = this.queue[0]!;
      const used = Math.min(head.length, n - at);
      head.copy(out, at, 0, used);
      at += used;
      if (used === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(used);
    }
    return out;
  }
}

/** Decodes `COPY … TO STDOUT (FORMAT binary)` into rows of raw field bytes (null for SQL NULL). */
export async function* copyRows(stream: AsyncIterable<Buffer>): AsyncGenerator<(Buffer | null)[]> {
  const pieces = new Pieces(stream[Symbol.asyncIterator]());
  const header = await pieces.take(SIGNATURE.length + 8);
  if (!header.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  await pieces.take(header.readInt32BE(SIGNATURE.length + 4));
  for (;;) {
    const count = (await pieces.take(2)).readInt16BE();
    if (count === -1) return;
    const row: (Buffer | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = (await pieces.take(4)).readInt32BE();
      row.push(length === -1 ? null : await pieces.take(length));
    }
    yield row;
  }
}
