// Builds the engine's native kernels (binding.gyp → build/Release/trainyard_kernels.node) with node-gyp.
// Part of `npm run build`. It never fails the build: without a C++ compiler or Node's headers the engine
// reports the 'cpu-blas' backend unavailable and uses wasm or cpu instead. TRAINYARD_NATIVE=0 skips it,
// TRAINYARD_NATIVE=required makes a failure fatal (for images that must have it).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'build', 'Release', 'trainyard_kernels.node');
const sources = ['binding.gyp', 'src/kernels.cc', 'build.mjs'].map((f) => join(here, f));
const mode = process.env.TRAINYARD_NATIVE ?? 'auto';

if (mode === '0' || mode === 'off') {
  console.log('native kernels: skipped (TRAINYARD_NATIVE=0)');
  process.exit(0);
}
if (existsSync(output) && sources.every((s) => statSync(s).mtimeMs <= statSync(output).mtimeMs)) process.exit(0);

/** npm hands scripts its own node-gyp; outside npm, the copy bundled with npm beside this node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

const gyp = nodeGyp();
const args = ['rebuild', `--directory=${here}`, '--loglevel=warn'];
// Headers installed with node (/usr/include/node) spare node-gyp a download, which build machines cannot make.
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const result = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { encoding: 'utf8' })
  : { status: null, error: new Error('node-gyp not found (run through npm, which bundles it)'), stdout: '', stderr: '' };
if (result.status === 0 && existsSync(output)) {
  console.log(`native kernels: built ${output}`);
  process.exit(0);
}
const why = result.error?.message ?? `${result.stderr}${result.stdout}`.trim().split('\n').slice(-15).join('\n');
console.warn(`native kernels: not built; the engine will use wasm/cpu kernels instead.\n${why}`);
process.exit(mode === 'required' ? 1 : 0);
