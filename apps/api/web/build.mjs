// Bundles the dashboard (apps/api/web) into dist/apps/api/web, which the API serves at `/`.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const here = import.meta.dirname;
const out = join(here, '..', '..', '..', 'dist', 'apps', 'api', 'web');

await mkdir(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outdir: join(out, 'assets'),
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
await copyFile(join(here, 'index.html'), join(out, 'index.html'));
