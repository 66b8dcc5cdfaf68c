import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from './connection.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Where migrations live (Prisma's own layout, so `prisma migrate deploy` accepts them too), found from src or dist. */
export const MIGRATIONS_DIR = findUp(import.meta.dirname, join('prisma', 'migrations'));

function findUp(from: string, target: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, target))) return join(dir, target);
    if (dirname(dir) === dir) throw new Error(`No ${target} above ${from}`);
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

// Prisma's own bookkeeping table, so this runner and `prisma migrate deploy` agree on what ran.
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies the migrations not yet applied, each in its own transaction, under an advisory lock so
 * several processes starting at once migrate once. Returns the names it applied.
 * Prisma's CLI cannot do this here: its schema engine is a download the build machines cannot reach.
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // The lock comes first: even CREATE SCHEMA IF NOT EXISTS races with itself in Postgres.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`trainyard-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(BOOKKEEPING);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
    const ran: string[] = [];
    for (const migration of await readMigrations(dir)) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was edited after it was applied; add a new migration instead`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      }
      ran.push(migration.name);
    }
    return ran;
  } finally {
    await client.end();
  }
}

/** Drops a schema and everything in it; for tests that made their own. */
export async function dropSchema(databaseUrl: string): Promise<void> {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  if (schema === 'public') throw new Error('Refusing to drop the public schema');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
