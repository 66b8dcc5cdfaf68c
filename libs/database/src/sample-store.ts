import { Injectable } from '@nestjs/common';
import { int4, text, uuid } from './copy-binary.js';
import { PgBinary, uuidLiteral } from './pg-binary.js';

/** One preprocessed image as stored: see the samples table. */
export interface SampleRow {
  index: number;
  label: number;
  file: string;
  sha256: string | null;
  pixels: Uint8Array;
}

/** A stored sample read back: its bytes are a view that lives until the next row is read. */
export interface StoredSample {
  index: number;
  label: number;
  file: string;
  split: string;
  pixels: Buffer;
}

/** Sample rows in and out of Postgres in bytes: COPY in binary both ways, thousands of rows per round trip. */
@Injectable()
export class SampleStore {
  constructor(private readonly pg: PgBinary) {}

  /** Replaces samples [start, end) of a dataset with `rows`, in one transaction: a chunk run again leaves the same rows. */
  replaceRange(datasetId: string, start: number, end: number, rows: readonly SampleRow[]): Promise<void> {
    return this.pg.transaction(async (client) => {
      await client.query('DELETE FROM samples WHERE "datasetId" = $1 AND index >= $2 AND index < $3', [datasetId, start, end]);
      const id = uuid(datasetId);
      await this.pg.copyIn(
        client,
        'samples ("datasetId", index, label, file, sha256, pixels)',
        rows.map((r) => [id, int4(r.index), int4(r.label), text(r.file), r.sha256 === null ? null : text(r.sha256), r.pixels]),
      );
    });
  }

  /** Every sample of a dataset without its pixels, in index order: what splits and duplicates are drawn from. */
  async listing(datasetId: string): Promise<{ index: number; label: number; file: string; sha256: string | null }[]> {
    const rows = this.pg.copyOut(`SELECT index, label, file, sha256 FROM samples WHERE "datasetId" = ${uuidLiteral(datasetId)} ORDER BY index`);
    const out: { index: number; label: number; file: string; sha256: string | null }[] = [];
    for await (const [index, label, file, sha256] of rows) {
      out.push({ index: index!.readInt32BE(), label: label!.readInt32BE(), file: file!.toString('utf8'), sha256: sha256?.toString('utf8') ?? null });
    }
    return out;
  }

  /** Sets each listed sample's split in one statement (`splits[i]` for `indices[i]`). */
  async setSplits(datasetId: string, indices: number[], splits: string[]): Promise<void> {
    await this.pg.pool.query(
      'UPDATE samples s SET split = v.split FROM unnest($2::int[], $3::text[]) AS v(index, split) WHERE s."datasetId" = $1 AND s.index = v.index',
      [datasetId, indices, splits],
    );
  }

  /** A dataset's samples in index order, optionally without the test split or only it; `offset`/`limit` pick a window. */
  async *read(datasetId: string, options: { withoutTest?: boolean; onlyTest?: boolean; offset?: number; limit?: number } = {}): AsyncGenerator<StoredSample> {
    const filter = options.withoutTest ? ` AND split <> 'test'` : options.onlyTest ? ` AND split = 'test'` : '';
    const window = `${options.limit !== undefined ? ` LIMIT ${options.limit | 0}` : ''}${options.offset ? ` OFFSET ${options.offset | 0}` : ''}`;
    const rows = this.pg.copyOut(`SELECT index, label, file, split, pixels FROM samples WHERE "datasetId" = ${uuidLiteral(datasetId)}${filter} ORDER BY index${window}`);
    for await (const [index, label, file, split, pixels] of rows) {
      yield { index: index!.readInt32BE(), label: label!.readInt32BE(), file: file!.toString('utf8'), split: split!.toString('utf8'), pixels: pixels! };
    }
  }
}
