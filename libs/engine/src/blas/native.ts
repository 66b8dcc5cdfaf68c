import { existsSync } from 'node:fs';
import { availableParallelism, constants, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What libs/engine/native/src/kernels.cc exports (see there for each function's contract). */
export interface NativeKernels {
  open(candidates: string[]): { path: string; config: string; threads: number | null };
  setThreads(threads: number): number | null;
  useTeam(on: boolean): void;
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOffset: number,
    b: Float32Array,
    bOffset: number,
    c: Float32Array,
    cOffset: number,
  ): void;
  binary(op: number, mode: number, a: Float32Array, b: Float32Array, out: Float32Array, inner: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  sum(x: Float32Array, rows: number, cols: number, axis: 0 | 1, out: Float32Array): void;
  biasActivate(c: Float32Array, cols: number, bias: Float32Array | null, op: number, alpha: number): void;
  sgdStep(values: Float32Array, gradient: Float32Array, scale: number): void;
  /** out's row r = table[channel * 256 + byte] over the bytes of sample samples[r] (see dataset.ts batches). */
  lookupRows(pixels: Uint8Array, samples: Int32Array, inputSize: number, table: Float32Array, out: Float32Array): void;
}

export interface NativeBlas {
  kernels: NativeKernels;
  /** The BLAS library that was opened, as dlopen was given it. */
  library: string;
  /** 'OpenBLAS 0.3.21 … Cooperlake …', 'BLIS 0.9.0', 'MKL' or '' when the library does not say. */
  config: string;
  /** The library's thread count after setThreads; null when it has no way to say. */
  threads: number | null;
}

export const ADDON_FILE = 'trainyard_kernels.node';

/**
 * BLAS libraries tried in order: TRAINYARD_BLAS_LIBRARY (a path or soname) first, then OpenBLAS
 * (Debian: libopenblas0-pthread), BLIS and MKL. Reference BLAS (libblas.so.3 from libblas3) is left
 * out on purpose: its sgemm is slower than tfjs's own wasm kernels.
 */
export function blasCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const forced = env.TRAINYARD_BLAS_LIBRARY?.trim();
  if (forced && !blasSwitchedOff(env)) return [forced];
  if (platform() === 'darwin') {
    return [
      '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
      '/usr/local/opt/openblas/lib/libopenblas.dylib',
      '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    ];
  }
  return ['libopenblas.so.0', 'libopenblas.so', 'libopenblasp.so.0', 'libblis.so.4', 'libblis.so', 'libmkl_rt.so.2', 'libmkl_rt.so'];
}

/** The built addon: TRAINYARD_KERNELS_ADDON, else libs/engine/native/build/Release above this file (source or dist). */
export function findAddon(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env.TRAINYARD_KERNELS_ADDON?.trim();
  if (forced) return existsSync(forced) ? forced : null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'libs', 'engine', 'native', 'build', 'Release', ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** How many threads the BLAS library runs: TRAINYARD_BLAS_THREADS, else one per core (as PyTorch's default). */
export function blasThreads(env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number(env.TRAINYARD_BLAS_THREADS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : availableParallelism();
}

// Once per process: dlopen'ed libraries stay loaded, and tests load this module more than once.
const CACHE = Symbol.for('trainyard.engine.nativeBlas');
type Cache = { [CACHE]?: NativeBlas | Error };

/** TRAINYARD_BLAS_LIBRARY=off (or none) turns the BLAS backend off, even after it was loaded. */
export function blasSwitchedOff(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.TRAINYARD_BLAS_LIBRARY?.trim().toLowerCase();
  return value === 'off' || value === 'none';
}

/** The addon's kernels when something (the cpu-blas backend) has loaded them already; never loads them. */
export function loadedNativeKernels(): NativeKernels | null {
  const cached = (globalThis as Cache)[CACHE];
  return cached && !(cached instanceof Error) && !blasSwitchedOff() ? cached.kernels : null;
}

/** Loads the addon and opens a BLAS library; throws an Error that says why when either is missing. */
export function loadNativeBlas(): NativeBlas {
  if (blasSwitchedOff()) throw new Error('BLAS kernels are switched off (TRAINYARD_BLAS_LIBRARY=off)');
  const cache = globalThis as Cache;
  const cached = cache[CACHE];
  if (cached instanceof Error) throw cached;
  if (cached) return cached;
  try {
    const result = load();
    cache[CACHE] = result;
    return result;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    cache[CACHE] = failure;
    throw failure;
  }
}

/** Why the cpu-blas backend cannot load here (addon not built, no BLAS library), or null when it can. */
export function nativeBlasProblem(): string | null {
  try {
    loadNativeBlas();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function load(): NativeBlas {
  const file = findAddon();
  if (!file) throw new Error(`the native kernels addon (libs/engine/native/build/Release/${ADDON_FILE}) is not built: run npm run build`);
  const module = { exports: {} as NativeKernels };
  try {
    process.dlopen(module, file, constants.dlopen.RTLD_NOW);
  } catch (error) {
    throw new Error(`the native kernels addon ${file} failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
  const kernels = module.exports;
  let opened: ReturnType<NativeKernels['open']>;
  try {
    opened = kernels.open(blasCandidates());
  } catch (error) {
    const hint = platform() === 'linux' ? ' (Debian/Ubuntu: apt-get install libopenblas0-pthread)' : '';
    throw new Error(`${(error as Error).message}${hint}`);
  }
  // TRAINYARD_BLAS_TEAM=0: let OpenBLAS run its own threads instead of the addon's team (see kernels.cc).
  kernels.useTeam(process.env.TRAINYARD_BLAS_TEAM !== '0');
  const threads = kernels.setThreads(blasThreads());
  return { kernels, library: opened.path, config: opened.config, threads };
}
