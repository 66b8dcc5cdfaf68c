import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { parseDatabaseUrl } from './connection.js';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The one Prisma client of an app. Prisma 7 reaches Postgres through the pg driver adapter, no native engine. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
    super({ adapter: new PrismaPg({ connectionString, max: 10 }, { schema }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
