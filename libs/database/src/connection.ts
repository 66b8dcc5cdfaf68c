/** A DATABASE_URL split into what pg needs and the Postgres schema Trainyard's tables live in. */
export interface Connection {
  connectionString: string;
  schema: string;
}

/** Reads `?schema=NAME` (Prisma's convention) off the URL; pg itself would reject the parameter. */
export function parseDatabaseUrl(databaseUrl: string): Connection {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name in DATABASE_URL: ${schema}`);
  return { connectionString: url.toString(), schema };
}
