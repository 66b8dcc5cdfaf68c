// Runs a build command (`node build-once.mjs npm run build --silent`) so that processes started together
// (`npm run start:api & npm run start:worker & ...`) build once: the first takes a lock and builds, the
// others wait for it and reuse what it built. Plain JS, because it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lock = join(root, 'node_modules', '.cache', 'trainyard-build.lock');
const [command, ...args] = process.argv.slice(2);
if (!command) throw new Error('usage: node build-once.mjs <command> [args...]');

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The lock is stale when the process that took it is gone (killed mid-build). */
function stale() {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!pid) return Date.now() - statSync(lock).mtimeMs > 10_000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH' || error.code === 'ENOENT';
  }
}

mkdirSync(dirname(lock), { recursive: true });
for (let waited = false; ; ) {
  try {
    mkdirSync(lock);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    if (stale()) rmSync(lock, { recursive: true, force: true });
    else {
      waited = true;
      sleep(200);
    }
    continue;
  }
  if (waited) {
    // Another process built this tree while we waited: nothing left to do.
    rmSync(lock, { recursive: true, force: true });
    process.exit(0);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  rmSync(lock, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
