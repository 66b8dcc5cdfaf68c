import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate); the apps read DATABASE_URL through their own config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
