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

/** Bytes per write of a COPY stream: a write per row cost more than the rows' bytes (an await and a message each). */
export const COPY_BATCH_BYTES = 1024 ** 2;

/**
 * The whole stream, header to trailer, packed into buffers of about `batchBytes` (larger only for a row
 * that is): each row is its field count, then each field as its length and bytes (null: length -1).
 */
export async function* copyStream(
  rows: Iterable<(Uint8Array | null)[]> | AsyncIterable<(Uint8Array | null)[]>,
  batchBytes = COPY_BATCH_BYTES,
): AsyncGenerator<Buffer> {
  let out = Buffer.allocUnsafe(batchBytes);
  let at = copyHeader().copy(out, 0);
  for await (const row of rows) {
    let size = 2;
    for (const field of row) size += 4 + (field?.byteLength ?? 0);
    if (at + size > out.length) {
      yield out.subarray(0, at);
      out = Buffer.allocUnsafe(Math.max(batchBytes, size));
      at = 0;
    }
    at = out.writeInt16BE(row.length, at);
    for (const field of row) {
      at = out.writeInt32BE(field === null ? -1 : field.byteLength, at);
      if (field) {
        out.set(field, at);
        at += field.byteLength;
      }
    }
  }
  if (at + 2 > out.length) {
    yield out.subarray(0, at);
    out = Buffer.allocUnsafe(2);
    at = 0;
  }
  yield out.subarray(0, copyTrailer().copy(out, at) + at);
}

export const int4 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
export const text = (value: string): Buffer => Buffer.from(value, 'utf8');
export const uuid = (value: string): Buffer => Buffer.from(value.replaceAll('-', ''), 'hex');

const HEADER_BYTES = SIGNATURE.length + 8;

/** Decodes `COPY … TO STDOUT (FORMAT binary)` into rows of raw field bytes (null for SQL NULL). */
export async function* copyRows(stream: AsyncIterable<Buffer>): AsyncGenerator<(Buffer | null)[]> {
  for await (const rows of copyRowBatches(stream)) yield* rows;
}

/**
 * The same rows, as many at a time as the stream's pieces hold: parsed synchronously, fields as views of
 * the pieces (one copy only where a row spans pieces), so thousands of small rows cost no await each.
 */
export async function* copyRowBatches(stream: AsyncIterable<Buffer>): AsyncGenerator<(Buffer | null)[][]> {
  const parts: Buffer[] = [];
  let total = 0;
  // Bytes the parser needs before it can go on: the header first, then whatever the row in hand lacks.
  let need = HEADER_BYTES;
  let started = false;
  for await (const piece of stream) {
    parts.push(piece);
    total += piece.length;
    if (total < need) continue;
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
    parts.length = 0;
    let at = 0;
    if (!started) {
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      if (buf.length < HEADER_BYTES + extension) {
        parts.push(buf);
        need = HEADER_BYTES + extension;
        continue;
      }
      at = HEADER_BYTES + extension;
      started = true;
    }
    const rows: (Buffer | null)[][] = [];
    need = 0;
    while (need === 0) {
      if (buf.length - at < 2) {
        need = 2;
        break;
      }
      const count = buf.readInt16BE(at);
      if (count === -1) {
        if (rows.length) yield rows;
        return;
      }
      const row: (Buffer | null)[] = [];
      let p = at + 2;
      for (let i = 0; i < count; i++) {
        if (buf.length - p < 4) {
          need = p + 4 - at;
          break;
        }
        const length = buf.readInt32BE(p);
        if (length === -1) {
          row.push(null);
          p += 4;
          continue;
        }
        if (buf.length - p - 4 < length) {
          need = p + 4 + length - at;
          break;
        }
        row.push(buf.subarray(p + 4, p + 4 + length));
        p += 4 + length;
      }
      if (need > 0) break;
      rows.push(row);
      at = p;
    }
    const rest = buf.subarray(at);
    if (rest.length) parts.push(rest);
    total = rest.length;
    if (rows.length) yield rows;
  }
  throw new Error(`COPY stream ended ${Math.max(need - total, 0)} bytes early`);
}
