import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PgBinary, uuidLiteral } from './pg-binary.js';

/** Bytes per stored piece: big enough that a 2 GB upload is 256 rows, small enough to hold a few at once. */
export const BLOB_CHUNK_BYTES = 8 * 1024 ** 2;

/** A blob's pieces by number; every piece but the last holds `blockBytes`. */
export interface BlobPieces {
  size: number;
  blockBytes: number;
  block(seq: number): Promise<Buffer>;
}

export interface StoredBlob {
  id: string;
  size: number;
}

/**
 * The one owner of large byte arrays (uploads, checkpoints, model weights): written as fixed-size pieces
 * with binary parameters, read back through binary COPY, so no byte array passes through a JS string and
 * none meets Postgres' 1 GB value limit. A blob is written on its own first and then attached to its
 * owner's row; deleting the owner row deletes the blob (a trigger), and `sweep` removes blobs whose
 * owner was never written (a process that died in between).
 */
@Injectable()
export class BlobStore {
  constructor(private readonly pg: PgBinary) {}

  /** Stores bytes from an array or a stream of pieces of any size, all or nothing; on `client`'s connection when given. */
  write(source: Uint8Array | AsyncIterable<Uint8Array>, client?: pg.ClientBase, chunkBytes = BLOB_CHUNK_BYTES): Promise<StoredBlob> {
    const id = randomUUID();
    return this.pg.transaction(async (client) => {
      await client.query('INSERT INTO blobs (id, "chunkBytes") VALUES ($1, $2)', [id, chunkBytes]);
      let seq = 0;
      let size = 0;
      for await (const piece of pieces(source, chunkBytes)) {
        await client.query('INSERT INTO blob_chunks ("blobId", seq, bytes) VALUES ($1, $2, $3)', [id, seq++, piece]);
        size += piece.byteLength;
      }
      await client.query('UPDATE blobs SET size = $2 WHERE id = $1', [id, size]);
      return { id, size };
    }, client);
  }

  async size(id: string): Promise<number> {
    return (await this.meta(id)).size;
  }

  /** The whole blob in one array, filled piece by piece (no concatenation, no string). */
  async read(id: string): Promise<Buffer> {
    const { size } = await this.meta(id);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for await (const piece of this.stream(id)) {
      piece.copy(out, at);
      at += piece.length;
    }
    if (at !== size) throw new Error(`blob ${id} holds ${at} bytes, not ${size}`);
    return out;
  }

  /** The pieces of chunks first..last (all by default), in order. */
  async *stream(id: string, first = 0, last = 2 ** 31 - 1): AsyncGenerator<Buffer> {
    const rows = this.pg.copyOut(`SELECT bytes FROM blob_chunks WHERE "blobId" = ${uuidLiteral(id)} AND seq BETWEEN ${first | 0} AND ${last | 0} ORDER BY seq`);
    for await (const [bytes] of rows) yield bytes!;
  }

  /** The blob as numbered pieces, each read when asked for: random access for a reader that caches (a zip's directory and entries). */
  async pieces(id: string): Promise<BlobPieces> {
    const { size, chunkBytes } = await this.meta(id);
    return {
      size,
      blockBytes: chunkBytes,
      block: async (seq) => {
        for await (const piece of this.stream(id, seq, seq)) return Buffer.from(piece);
        throw new Error(`blob ${id} has no chunk ${seq}`);
      },
    };
  }

  /**
   * Bytes of a run's checkpoints, in one statement: read as a relation, a checkpoint pruned between
   * Prisma's two queries would leave a row without its blob.
   */
  async checkpointBytes(runId: string): Promise<number> {
    const { rows } = await this.pg.pool.query<{ bytes: string }>(
      'SELECT coalesce(sum(b.size), 0) AS bytes FROM checkpoints c JOIN blobs b ON b.id = c."blobId" WHERE c."runId" = $1',
      [runId],
    );
    return Number(rows[0]!.bytes);
  }

  /** Deletes blobs older than `olderThanMs` that no row owns; returns how many. */
  async sweep(olderThanMs = 3_600_000): Promise<number> {
    const { rowCount } = await this.pg.pool.query(
      `DELETE FROM blobs b WHERE b."createdAt" < now() - make_interval(secs => $1::double precision / 1000)
         AND NOT EXISTS (SELECT 1 FROM dataset_uploads o WHERE o."blobId" = b.id)
         AND NOT EXISTS (SELECT 1 FROM checkpoints o WHERE o."blobId" = b.id)
         AND NOT EXISTS (SELECT 1 FROM model_versions o WHERE o."blobId" = b.id)`,
      [olderThanMs],
    );
    return rowCount ?? 0;
  }

  /** Deletes a blob that was never attached (its owner's write failed). */
  async delete(id: string, client: pg.ClientBase | pg.Pool = this.pg.pool): Promise<void> {
    await client.query('DELETE FROM blobs WHERE id = $1', [id]);
  }

  private async meta(id: string): Promise<{ size: number; chunkBytes: number }> {
    const { rows } = await this.pg.pool.query<{ size: string; chunkBytes: number }>('SELECT size, "chunkBytes" FROM blobs WHERE id = $1', [id]);
    if (!rows[0]) throw new Error(`blob ${id} not found`);
    return { size: Number(rows[0].size), chunkBytes: rows[0].chunkBytes };
  }
}

/** Cuts a source into pieces of exactly `size` bytes (the last may be shorter); an array is cut without copying. */
async function* pieces(source: Uint8Array | AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let at = 0; at < source.byteLength; at += size) yield source.subarray(at, Math.min(source.byteLength, at + size));
    return;
  }
  let buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const input of source) {
    for (let at = 0; at < input.byteLength; ) {
      const used = Math.min(size - filled, input.byteLength - at);
      buffer.set(input.subarray(at, at + used), filled);
      filled += used;
      at += used;
      if (filled === size) {
        yield buffer;
        buffer = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
