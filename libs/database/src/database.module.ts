import { type DynamicModule, Module } from '@nestjs/common';
import { BlobStore } from './blob-store.js';
import { PgBinary } from './pg-binary.js';
import { DATABASE_URL, PrismaService } from './prisma.service.js';
import { SampleStore } from './sample-store.js';

@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [{ provide: DATABASE_URL, useValue: databaseUrl }, PrismaService, PgBinary, BlobStore, SampleStore],
      exports: [PrismaService, PgBinary, BlobStore, SampleStore],
    };
  }
}
