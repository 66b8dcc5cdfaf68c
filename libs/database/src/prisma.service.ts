import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { parseDatabaseUrl } from './connection.js';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** A Postgres that accepts connections but does not answer fails a query after this, instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The one Prisma client of an app; it disconnects last, after the workers have drained (beforeApplicationShutdown). Prisma 7 reaches Postgres through the pg driver adapter, no native engine. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
    // search_path too, so raw SQL (row locks Prisma cannot express) names tables as the generated queries do.
    super({ adapter: new PrismaPg({ connectionString, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options: `-c search_path=${schema}` }, { schema }) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
