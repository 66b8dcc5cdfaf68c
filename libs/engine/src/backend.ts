import { readdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '#libs/contracts';
import { CPU_BLAS, registerCpuBlas } from './blas/cpu-blas.js';

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow', 'webgpu', 'cpu-blas', 'wasm' or 'cpu' */
  name: string;
  /** What runs the maths, for people: 'NVIDIA H100 80GB HBM3 (CUDA)', 'cpu (wasm simd)', … */
  device: string;
}

export class BackendUnavailableError extends Error {
  readonly code = 'BACKEND_UNAVAILABLE';

  constructor(preference: string, reasons: string[]) {
    super(`compute backend '${preference}' could not be loaded: ${reasons.join('; ')}`);
    this.name = 'BackendUnavailableError';
  }
}

type Attempt = () => Promise<BackendInfo>;

/**
 * Fastest first; production GPU images carry tfjs-node-gpu, CPU machines with the native addon and
 * OpenBLAS (Debian: libopenblas0-pthread) run cpu-blas, the rest wasm and cpu.
 */
const ATTEMPTS: Record<Exclude<BackendPreference, 'auto'>, Attempt[]> = {
  tensorflow: [() => useNode('@tensorflow/tfjs-node-gpu', gpuName), () => useNode('@tensorflow/tfjs-node', async () => 'cpu (libtensorflow)')],
  webgpu: [useWebgpu],
  [CPU_BLAS]: [useCpuBlas],
  wasm: [useWasm],
  cpu: [useCpu],
};

/** Makes the chosen backend tfjs's current one; a forced preference that cannot load throws. */
export async function selectBackend(preference: BackendPreference): Promise<BackendInfo> {
  const attempts = preference === 'auto' ? [...ATTEMPTS.tensorflow, ...ATTEMPTS.webgpu, ...ATTEMPTS[CPU_BLAS], ...ATTEMPTS.wasm, ...ATTEMPTS.cpu] : ATTEMPTS[preference];
  const reasons: string[] = [];
  for (const attempt of attempts) {
    try {
      return await attempt();
    } catch (error) {
      reasons.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new BackendUnavailableError(preference, reasons);
}

async function activate(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`no tfjs backend named '${name}' is registered`);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}

async function useNode(pkg: string, device: () => Promise<string>): Promise<BackendInfo> {
  try {
    // A variable specifier: these packages exist only on production images, so neither tsc nor jest may resolve them.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    throw new Error(`${pkg} is not installed or its native library failed to load (${(error as Error).message.split('\n')[0]})`);
  }
  await activate('tensorflow');
  return { name: 'tensorflow', device: await device() };
}

/** The driver's own name for the first GPU; libtensorflow does not tell tfjs which device it picked. */
async function gpuName(): Promise<string> {
  try {
    const root = '/proc/driver/nvidia/gpus';
    const [first] = await readdir(root);
    const info = await readFile(`${root}/${first}/information`, 'utf8');
    const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim();
    if (model) return `${model} (CUDA)`;
  } catch {
    // No readable driver information: fall through to the generic name.
  }
  return 'gpu (CUDA)';
}

/** A package that only GPU images install (see apps/worker/Dockerfile.gpu); a variable specifier keeps tsc and jest from resolving it. */
async function optionalImport<T>(pkg: string): Promise<T> {
  const specifier: string = pkg;
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new Error(`${pkg} is not installed (${(error as Error).message.split('\n')[0]})`);
  }
}

interface Dawn {
  create(flags: string[]): { requestAdapter(): Promise<{ info?: { vendor?: string; description?: string } } | null> };
  globals: Record<string, unknown>;
}

/** WebGPU through Dawn (the `webgpu` package) over Vulkan, Metal or D3D, with tfjs's webgpu kernels. */
async function useWebgpu(): Promise<BackendInfo> {
  const dawn = await optionalImport<Dawn>('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('webgpu found no adapter (no GPU, or no Vulkan driver: libvulkan1 and a vendor ICD)');
  // tfjs-backend-webgpu looks for navigator.gpu, which Node 20 has no navigator to hold.
  const holder = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else holder.navigator = { gpu };
  await optionalImport('@tensorflow/tfjs-backend-webgpu');
  await activate('webgpu');
  const name = adapter.info?.description || adapter.info?.vendor || 'Dawn';
  return { name: 'webgpu', device: `gpu (WebGPU: ${name})` };
}

async function useWasm(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-wasm');
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { name: 'wasm', device: `cpu (wasm${simd ? ' simd' : ''}${threads ? ', threads' : ''})` };
}

async function useCpuBlas(): Promise<BackendInfo> {
  const device = registerCpuBlas();
  await activate(CPU_BLAS);
  // A MathBackendCPU like 'cpu': the same first-use notice to silence.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: CPU_BLAS, device };
}

async function useCpu(): Promise<BackendInfo> {
  await activate('cpu');
  // The cpu backend asks once, on first use, to install tfjs-node; production already uses it where it can.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: 'cpu', device: 'cpu' };
}
