import { readFile } from 'node:fs/promises';
import internals from '@prisma/internals';
import pg from 'pg';
import { parseDatabaseUrl } from '#libs/database';
import { createTestDatabase } from '#libs/testing';

// Prisma's migrate diff needs its native schema engine, which cannot be installed here; instead the
// migrations are applied to an empty schema and the result is compared with what schema.prisma declares.
type Shape = Record<string, unknown>;

const SCALAR_SQL: Record<string, string> = {
  String: 'text', Int: 'integer', BigInt: 'bigint', Float: 'double precision', Boolean: 'boolean',
  DateTime: 'timestamp(3)', Json: 'jsonb', Bytes: 'bytea', Decimal: 'numeric',
};
const ON_DELETE: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

async function declaredShape(): Promise<Shape> {
  const datamodel = await readFile(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
  const { datamodel: dm } = await internals.getDMMF({ datamodel });
  const tableOf = new Map(dm.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: string, field: string) => {
    const f = dm.models.find((m) => m.name === model)!.fields.find((x) => x.name === field)!;
    return f.dbName ?? f.name;
  };
  const tables: Shape = {};
  for (const model of dm.models) {
    const columns: Record<string, string> = {};
    const foreignKeys: string[] = [];
    for (const f of model.fields) {
      if (f.kind === 'object') {
        if (f.relationFromFields?.length) {
          const onDelete = f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull');
          const to = (f.relationToFields ?? []).map((c) => columnOf(f.type, c));
          foreignKeys.push(`${f.relationFromFields.map((c) => columnOf(model.name, c))} -> ${tableOf.get(f.type)}(${to}) ${onDelete}`);
        }
        continue;
      }
      const base = f.nativeType?.[0] === 'Uuid' ? 'uuid' : f.kind === 'enum' ? f.type : SCALAR_SQL[f.type];
      columns[f.dbName ?? f.name] = f.isList ? `${base}[]` : `${base}${f.isRequired ? ' not null' : ''}`;
    }
    const indexes = dm.indexes.filter((i) => i.model === model.name);
    const cols = (i: (typeof indexes)[number]) => i.fields.map((f) => columnOf(model.name, f.name)).join(',');
    tables[model.dbName ?? model.name] = {
      columns,
      primaryKey: indexes.filter((i) => i.type === 'id').map(cols),
      unique: indexes.filter((i) => i.type === 'unique').map(cols).sort(),
      indexes: indexes.filter((i) => i.type === 'normal').map(cols).sort(),
      foreignKeys: foreignKeys.sort(),
    };
  }
  const enums = Object.fromEntries(dm.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  return { tables, enums };
}

async function migratedShape(client: pg.Client, schema: string): Promise<Shape> {
  const q = async (sql: string) => (await client.query(sql, [schema])).rows;
  const tables: Record<string, { columns: Record<string, string>; primaryKey: string[]; unique: string[]; indexes: string[]; foreignKeys: string[] }> = {};
  for (const c of await q(`SELECT table_name, column_name, udt_name, is_nullable, datetime_precision, data_type
      FROM information_schema.columns WHERE table_schema = $1 AND table_name <> '_prisma_migrations' ORDER BY ordinal_position`)) {
    const table = (tables[c.table_name] ??= { columns: {}, primaryKey: [], unique: [], indexes: [], foreignKeys: [] });
    const udt: string = c.udt_name.replace(/^_/, '');
    const base: Record<string, string> = { int4: 'integer', int8: 'bigint', float8: 'double precision', bool: 'boolean' };
    const type = udt === 'timestamp' ? `timestamp(${c.datetime_precision})` : (base[udt] ?? udt);
    const isList = c.data_type === 'ARRAY';
    table.columns[c.column_name] = isList ? `${type}[]` : `${type}${c.is_nullable === 'NO' ? ' not null' : ''}`;
  }
  for (const i of await q(`SELECT t.relname AS table, ix.indisprimary AS pk, ix.indisunique AS uq,
        (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations'`)) {
    const table = tables[i.table]!;
    (i.pk ? table.primaryKey : i.uq ? table.unique : table.indexes).push(i.cols);
  }
  for (const f of await q(`SELECT t.relname AS table, ft.relname AS target, c.confdeltype AS on_delete,
        (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols,
        (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = ft.oid AND a.attnum = k.attnum) AS target_cols
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class ft ON ft.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1 AND c.contype = 'f'`)) {
    tables[f.table]!.foreignKeys.push(`${f.cols} -> ${f.target}(${f.target_cols}) ${ON_DELETE[f.on_delete]}`);
  }
  for (const t of Object.values(tables)) (['unique', 'indexes', 'foreignKeys'] as const).forEach((k) => t[k].sort());
  const enums: Record<string, string[]> = {};
  for (const e of await q(`SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 ORDER BY t.typname, e.enumsortorder`)) {
    (enums[e.typname] ??= []).push(e.enumlabel);
  }
  return { tables, enums };
}

describe('prisma/schema.prisma and prisma/migrations', () => {
  it('describe the same tables, columns, keys, indexes and enums', async () => {
    const db = await createTestDatabase();
    const { connectionString, schema } = parseDatabaseUrl(db.url);
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      expect(await migratedShape(client, schema)).toEqual(await declaredShape());
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
