import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { parseDatabaseUrl } from './connection.js';
import { copyRowBatches, copyStream } from './copy-binary.js';
import { DATABASE_URL } from './prisma.service.js';

/**
 * Postgres through `pg` directly, for bytes: parameters that are Buffers travel in binary, and results
 * come back through binary COPY. Prisma's driver adapter would carry them as base64 or hex strings.
 */
@Injectable()
export class PgBinary implements OnApplicationShutdown {
  readonly pool: pg.Pool;
  private readonly logger = new Logger('PgBinary');
  private readonly config: pg.ClientConfig;

  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
    // parseDatabaseUrl allows only identifier characters in the schema name.
    this.config = { connectionString, options: `-c search_path=${schema}` };
    this.pool = new pg.Pool({ ...this.config, max: 4 });
    // An idle connection dropped by Postgres (a restart) is replaced on next use; unhandled, it would crash the process.
    this.pool.on('error', (error) => this.logger.warn(`idle Postgres connection lost: ${error.message}`));
  }

  /** Runs `work` in a transaction on a pooled connection, or on `client` when given (e.g. a session holding a lock). */
  async transaction<T>(work: (client: pg.ClientBase) => Promise<T>, client?: pg.ClientBase): Promise<T> {
    const session = client ?? (await this.pool.connect());
    try {
      await session.query('BEGIN');
      const result = await work(session);
      await session.query('COMMIT');
      return result;
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      if (!client) (session as pg.PoolClient).release();
    }
  }

  /**
   * A connection of its own, outside the pool, closed afterwards: for a session-level advisory lock that
   * may be waited on for a while without starving the pool.
   */
  async session<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.config);
    client.on('error', (error) => this.logger.warn(`upload session lost: ${error.message}`));
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Rows of `COPY (query) TO STDOUT (FORMAT binary)`, as raw field bytes; `query` takes no parameters. */
  async *copyOut(query: string): AsyncGenerator<(Buffer | null)[]> {
    for await (const rows of this.copyOutBatches(query)) yield* rows;
  }

  /** copyOut's rows as many at a time as arrive together (no await per row, for many small rows). */
  async *copyOutBatches(query: string, options: { indexOrder?: boolean } = {}): AsyncGenerator<(Buffer | null)[][]> {
    const client = await this.pool.connect();
    let ok = false;
    try {
      // Rows already in an index's order need no sort: without fresh statistics the planner sorts them anyway (on disk, for MB of bytes).
      if (options.indexOrder) await client.query('SET enable_sort = off');
      const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
      yield* copyRowBatches(stream);
      if (options.indexOrder) await client.query('RESET enable_sort');
      ok = true;
    } finally {
      // A COPY stopped half way leaves the connection mid-protocol: drop it rather than reuse it.
      client.release(ok ? undefined : true);
    }
  }

  /** Streams rows into `COPY target FROM STDIN (FORMAT binary)` on `client` (inside its transaction). */
  async copyIn(client: pg.ClientBase, target: string, rows: Iterable<(Uint8Array | null)[]> | AsyncIterable<(Uint8Array | null)[]>): Promise<void> {
    await pipeline(Readable.from(copyStream(rows)), client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT binary)`)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** A quoted uuid literal for COPY queries, which take no parameters; anything else is refused. */
export function uuidLiteral(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new Error(`not a uuid: ${id}`);
  return `'${id}'::uuid`;
}
