import { execSync } from 'node:child_process';
import { platform } from 'node:os';

const APT_PACKAGE = 'libopenblas0-pthread';

// What the fallback costs, from bench/results/train.md (784-128-10, batch 256, same machine and run).
const COST = 'workers fall back to wasm, about 16× slower (≈9,100 against ≈148,000 samples/s on a 784-128-10 network in npm run bench:train)';

/**
 * Gives the demo's worker the fast CPU backend (cpu-blas: the engine's native kernels over OpenBLAS) where the
 * machine allows it: installs OpenBLAS with apt when it is missing and this is root on Debian or Ubuntu, and
 * otherwise says plainly what is missing, what it costs, and the command that fixes it.
 */
export async function ensureFastBackend(log: (line: string) => void): Promise<void> {
  // Loaded here, not at the top, so only the demo pays for TensorFlow.js in its own process.
  const { nativeBlasProblem } = await import('#libs/engine');
  const problem = nativeBlasProblem();
  if (!problem) return;
  if (!/BLAS library/i.test(problem)) return log(`the cpu-blas backend cannot load (${problem}): ${COST}`);
  if (!canApt()) {
    const how = platform() === 'darwin' ? 'brew install openblas' : `sudo apt-get install ${APT_PACKAGE} (Debian/Ubuntu), sudo dnf install openblas (Fedora)`;
    return log(`OpenBLAS is not installed and cannot be installed from here: ${COST}. Install it with: ${how}`);
  }
  log(`OpenBLAS is not installed; installing ${APT_PACKAGE} with apt-get for the fast cpu-blas backend (once, ~20 s)`);
  const install = `apt-get install -y -qq --no-install-recommends ${APT_PACKAGE}`;
  try {
    execSync(`${install} || (apt-get update -qq && ${install})`, { stdio: 'ignore', shell: '/bin/bash', timeout: 300_000 });
    log(`installed ${APT_PACKAGE}: workers train on cpu-blas`);
  } catch {
    log(`apt-get could not install ${APT_PACKAGE}: ${COST}`);
  }
}

function canApt(): boolean {
  if (platform() !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/bash' });
    return true;
  } catch {
    return false;
  }
}
