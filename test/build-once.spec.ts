import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUILD_ONCE = new URL('../libs/launcher/build-once.mjs', import.meta.url).pathname;

// Stands in for `npm run build`: records when it starts and ends, and takes long enough for the others to queue.
const FAKE_BUILD = `const fs = require('fs'); const log = process.argv[1];
fs.appendFileSync(log, 'start\\n'); setTimeout(() => fs.appendFileSync(log, 'end\\n'), 2000);`;

function start(log: string): Promise<number | null> {
  const child = spawn(process.execPath, [BUILD_ONCE, process.execPath, '-e', FAKE_BUILD, log], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', resolve));
}

describe('build-once (what every npm run start:* builds through)', () => {
  it('builds once when several start together, and each of them goes on to start its app', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'build-once-'));
    try {
      const log = join(dir, 'log');
      const codes = await Promise.all([start(log), start(log), start(log), start(log)]);
      expect(codes).toEqual([0, 0, 0, 0]);
      expect(await readFile(log, 'utf8')).toBe('start\nend\n');
      // Started alone afterwards, it builds again: the lock is gone once the build ends.
      expect(await start(log)).toBe(0);
      expect(await readFile(log, 'utf8')).toBe('start\nend\nstart\nend\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
