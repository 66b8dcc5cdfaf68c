import { readdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '#libs/contracts';
import { CPU_BLAS, registerCpuBlas } from './blas/cpu-blas.js';
import { registerWebgpu } from './webgpu.js';

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow', 'webgpu', 'cpu-blas', 'wasm' or 'cpu' */
  name: string;
  /** What runs the maths, for people: 'NVIDIA H100 80GB HBM3 (CUDA)', 'cpu (wasm simd)', … */
  device: string;
  /** Whether the maths runs on a real GPU (never true for a software adapter such as SwiftShader). */
  gpu: boolean;
}

export class BackendUnavailableError extends Error {
  readonly code = 'BACKEND_UNAVAILABLE';

  constructor(preference: string, reasons: string[]) {
    super(`compute backend '${preference}' could not be loaded: ${reasons.join('; ')}`);
    this.name = 'BackendUnavailableError';
  }
}

type Attempt = () => Promise<BackendInfo>;

const tfjsNodeGpu = (requireGpu: boolean) => () => useNode('@tensorflow/tfjs-node-gpu', requireGpu);
const tfjsNode = () => useNode('@tensorflow/tfjs-node', false);

/** Forced preferences; a forced 'webgpu' accepts a software adapter (SwiftShader), which is how tests run it. */
const ATTEMPTS: Record<Exclude<BackendPreference, 'auto'>, Attempt[]> = {
  tensorflow: [tfjsNodeGpu(false), tfjsNode],
  webgpu: [() => useWebgpu(true)],
  [CPU_BLAS]: [useCpuBlas],
  wasm: [useWasm],
  cpu: [useCpu],
};

/**
 * auto: a real GPU first (tfjs-node-gpu where the NVIDIA driver shows one, then a hardware WebGPU adapter),
 * then the CPU backends fastest first; never a software adapter.
 */
const AUTO: Attempt[] = [tfjsNodeGpu(true), () => useWebgpu(false), tfjsNodeGpu(false), tfjsNode, useCpuBlas, useWasm, useCpu];

/** Makes the chosen backend tfjs's current one; a forced preference that cannot load throws. */
export async function selectBackend(preference: BackendPreference): Promise<BackendInfo> {
  const attempts = preference === 'auto' ? AUTO : ATTEMPTS[preference];
  const reasons: string[] = [];
  for (const attempt of attempts) {
    try {
      return await attempt();
    } catch (error) {
      reasons.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new BackendUnavailableError(preference, [...new Set(reasons)]);
}

async function activate(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`no tfjs backend named '${name}' is registered`);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}

async function useNode(pkg: string, requireGpu: boolean): Promise<BackendInfo> {
  try {
    // A variable specifier: these packages exist only on production images, so neither tsc nor jest may resolve them.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    throw new Error(`${pkg} is not installed or its native library failed to load (${(error as Error).message.split('\n')[0]})`);
  }
  const gpu = pkg.endsWith('-gpu') ? await nvidiaGpuName() : null;
  if (requireGpu && !gpu) throw new Error(`${pkg} loaded, but the NVIDIA driver shows no GPU`);
  await activate('tensorflow');
  return { name: 'tensorflow', device: gpu ? `${gpu} (CUDA)` : 'cpu (libtensorflow)', gpu: !!gpu };
}

/** The driver's own name for the first GPU; libtensorflow does not tell tfjs which device it picked. */
async function nvidiaGpuName(): Promise<string | null> {
  try {
    const root = '/proc/driver/nvidia/gpus';
    const [first] = await readdir(root);
    const info = await readFile(`${root}/${first}/information`, 'utf8');
    return /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() || 'NVIDIA GPU';
  } catch {
    return null;
  }
}

async function useWebgpu(allowSoftware: boolean): Promise<BackendInfo> {
  const adapter = await registerWebgpu(allowSoftware);
  await activate('webgpu');
  return { name: 'webgpu', ...adapter };
}

async function useWasm(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-wasm');
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { name: 'wasm', device: `cpu (wasm${simd ? ' simd' : ''}${threads ? ', threads' : ''})`, gpu: false };
}

async function useCpuBlas(): Promise<BackendInfo> {
  const device = registerCpuBlas();
  await activate(CPU_BLAS);
  // A MathBackendCPU like 'cpu': the same first-use notice to silence.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: CPU_BLAS, device, gpu: false };
}

async function useCpu(): Promise<BackendInfo> {
  await activate('cpu');
  // The cpu backend asks once, on first use, to install tfjs-node; production already uses it where it can.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: 'cpu', device: 'cpu', gpu: false };
}
