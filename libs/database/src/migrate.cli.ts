import { z } from 'zod';
import { commonEnv, loadConfig } from '#libs/config';
import { migrate } from './migrator.js';

// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL.
const { DATABASE_URL } = loadConfig(z.object({ DATABASE_URL: commonEnv.DATABASE_URL }));
const applied = await migrate(DATABASE_URL);
console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date');
