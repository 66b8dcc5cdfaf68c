import pg from 'pg';
import { TEST_DATABASE_URL, uniqueName } from '#libs/testing';
import { dropSchema, migrate, parseDatabaseUrl, readMigrations } from './index.js';

describe('the migration runner', () => {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', uniqueName('migrate'));
  const databaseUrl = url.toString();

  afterAll(() => dropSchema(databaseUrl));

  it('applies every migration once, records it the way Prisma does, and is a no-op the second time', async () => {
    const all = (await readMigrations()).map((m) => m.name);
    expect(await migrate(databaseUrl)).toEqual(all);
    expect(await migrate(databaseUrl)).toEqual([]);

    const client = new pg.Client({ connectionString: parseDatabaseUrl(databaseUrl).connectionString });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT migration_name FROM "${parseDatabaseUrl(databaseUrl).schema}"."_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(all);
    } finally {
      await client.end();
    }
  });

  it('migrates once when several processes start at the same moment', async () => {
    const racing = new URL(TEST_DATABASE_URL);
    racing.searchParams.set('schema', uniqueName('race'));
    try {
      const results = await Promise.all([1, 2, 3].map(() => migrate(racing.toString())));
      expect(results.flat()).toHaveLength((await readMigrations()).length);
    } finally {
      await dropSchema(racing.toString());
    }
  });
});
