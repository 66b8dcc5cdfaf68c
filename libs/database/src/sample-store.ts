import { Injectable } from '@nestjs/common';
import type pg from 'pg';
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

/** Samples packed back to back in index order: bytes, labels, split codes and dataset indices. */
export interface PackedSamples {
  pixels: Uint8Array;
  labels: Int32Array;
  split: Uint8Array;
  indices: Int32Array;
}

const TEST = Buffer.from('test');
/** Postgres' SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/** Sample rows in and out of Postgres in bytes: COPY in binary both ways, thousands of rows per round trip. */
@Injectable()
export class SampleStore {
  constructor(private readonly pg: PgBinary) {}

  /** Replaces the samples at `indices` of a dataset with `rows`, in one transaction: a chunk run again leaves the same rows. */
  async replace(datasetId: string, indices: readonly number[], rows: readonly SampleRow[]): Promise<void> {
    // A chunk's first run (every index has its row, none stored yet) skips the DELETE, whose 1,000 key probes cost
    // about as much as the COPY; a row already there breaks the primary key, and the run falls back to replacing.
    if (rows.length === indices.length) {
      try {
        return await this.pg.transaction((client) => this.insert(client, datasetId, rows));
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
    return this.pg.transaction(async (client) => {
      await client.query('DELETE FROM samples WHERE "datasetId" = $1 AND index = ANY($2::int[])', [datasetId, indices]);
      await this.insert(client, datasetId, rows);
    });
  }

  private insert(client: pg.ClientBase, datasetId: string, rows: readonly SampleRow[]): Promise<void> {
    const id = uuid(datasetId);
    return this.pg.copyIn(
      client,
      'samples ("datasetId", index, label, file, sha256, pixels)',
      rows.map((r) => [id, int4(r.index), int4(r.label), text(r.file), r.sha256 === null ? null : text(r.sha256), r.pixels]),
    );
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

  /**
   * What training reads: every sample of a dataset in one COPY, packed into one byte array (the test split
   * after the rest, as views of that array), split names turned into `codes`. Null when the rows changed
   * while they were read (a count and the COPY disagree) or a sample is not `inputSize` bytes.
   */
  async readPacked(datasetId: string, inputSize: number, codes: Record<string, number>): Promise<{ rest: PackedSamples; test: PackedSamples } | null> {
    const { rows } = await this.pg.pool.query<{ test: number; total: number }>(
      `SELECT (count(*) FILTER (WHERE split = 'test'))::int AS test, count(*)::int AS total FROM samples WHERE "datasetId" = $1`,
      [datasetId],
    );
    const { test: testCount, total } = rows[0]!;
    const restCount = total - testCount;
    const bytes = new Uint8Array(total * inputSize);
    const part = (from: number, count: number): PackedSamples => ({
      pixels: bytes.subarray(from * inputSize, (from + count) * inputSize),
      labels: new Int32Array(count),
      split: new Uint8Array(count),
      indices: new Int32Array(count),
    });
    const rest = part(0, restCount);
    const test = part(restCount, testCount);
    let restAt = 0;
    let testAt = 0;
    // Only the columns training needs; the bytes are copied once, from the COPY's pieces into their place.
    const copy = this.pg.copyOutBatches(`SELECT index, label, split, pixels FROM samples WHERE "datasetId" = ${uuidLiteral(datasetId)} ORDER BY index`, { indexOrder: true });
    for await (const rows of copy) {
      for (const [index, label, split, pixels] of rows) {
        const isTest = split!.equals(TEST);
        const into = isTest ? test : rest;
        const at = isTest ? testAt++ : restAt++;
        if (at >= into.labels.length || pixels!.length !== inputSize) return null;
        into.pixels.set(pixels!, at * inputSize);
        into.labels[at] = label!.readInt32BE();
        into.indices[at] = index!.readInt32BE();
        into.split[at] = codes[split!.toString('latin1')] ?? 0;
      }
    }
    return restAt === restCount && testAt === testCount ? { rest, test } : null;
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
