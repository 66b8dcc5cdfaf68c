/** What Dawn tells about an adapter (GPUAdapterInfo), as far as choosing one needs. */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Dawn sets this on CPU implementations of Vulkan (SwiftShader) and on WARP. */
  isFallbackAdapter?: boolean;
}

/** Vulkan, D3D and GL drivers that run on the CPU: fine for tests, never for real training unless asked. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(info: AdapterFacts): boolean {
  if (info.isFallbackAdapter) return true;
  return [info.description, info.architecture, info.device, info.vendor].some((text) => !!text && SOFTWARE.test(text));
}

/**
 * For people and for `GET /workers`: the device Dawn names (the GPU's model, lower-cased and hyphenated by Dawn)
 * and its driver, e.g. 'swiftshader-device-subzero (WebGPU, software; SwiftShader driver 5.0.0)'.
 */
export function adapterName(info: AdapterFacts): string {
  const model = info.device?.replace(/^-+|-+$/g, '') || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const driver = info.description && info.description !== model ? `; ${info.description}` : '';
  return `${model} (WebGPU${isSoftwareAdapter(info) ? ', software' : ''}${driver})`;
}

interface Dawn {
  create(flags: string[]): { requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: AdapterFacts } | null> };
  globals: Record<string, unknown>;
}

/** A package that may be missing (an optional dependency); a variable specifier keeps tsc and jest from resolving it. */
export async function optionalImport<T>(pkg: string): Promise<T> {
  const specifier: string = pkg;
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new Error(`${pkg} is not installed (${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * Registers tfjs-backend-webgpu on Dawn (the `webgpu` package), for the caller to activate. Dawn picks its adapter
 * through the Vulkan loader, which reads VK_ICD_FILENAMES itself (SwiftShader's ICD on CPU-only machines).
 * A software adapter is refused unless `allowSoftware`: auto must never train on one by accident.
 */
export async function registerWebgpu(allowSoftware: boolean): Promise<{ device: string; gpu: boolean }> {
  const { info } = await dawnAdapter();
  const software = isSoftwareAdapter(info);
  if (software && !allowSoftware) {
    throw new Error(`webgpu found only a software adapter (${adapterName(info)}); auto never trains on one, TRAIN_BACKEND=webgpu does`);
  }
  // A literal import (a dependency): bundlers keep it lazy, so it is evaluated only now that navigator.gpu exists.
  await import('@tensorflow/tfjs-backend-webgpu');
  return { device: adapterName(info), gpu: !software };
}

// One Dawn instance per process (or thread), kept alive: tfjs's device lives on it, and a second instance
// replacing it in navigator.gpu would let the first be collected under that device, which aborts the process.
const INSTANCE = Symbol.for('trainyard.engine.dawn');
type Held = { [INSTANCE]?: Promise<{ gpu: unknown; info: AdapterFacts }> };

function dawnAdapter(): Promise<{ gpu: unknown; info: AdapterFacts }> {
  const held = globalThis as Held;
  held[INSTANCE] ??= openDawn().catch((error: unknown) => {
    delete held[INSTANCE];
    throw error;
  });
  return held[INSTANCE];
}

async function openDawn(): Promise<{ gpu: unknown; info: AdapterFacts }> {
  const dawn = await optionalImport<Dawn>('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('webgpu found no adapter (no GPU, or no Vulkan driver: libvulkan1 and a vendor ICD)');
  // tfjs-backend-webgpu looks for navigator.gpu (read when it is imported), which Node 20 has no navigator to hold.
  const holder = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else holder.navigator = { gpu };
  return { gpu, info: adapter.info ?? {} };
}
