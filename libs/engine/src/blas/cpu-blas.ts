import * as tf from '@tensorflow/tfjs';
import type { backend_util, DataId, KernelBackend } from '@tensorflow/tfjs';
import { FAST_KERNELS, guardAliases, pool, withFallback } from './kernels.js';
import { loadNativeBlas, type NativeBlas, type NativeKernels } from './native.js';

export { kernelCalls, pool } from './kernels.js';

/** tfjs's cpu backend with BLAS matmul and native elementwise kernels; same tensors, same gradients, same ops. */
export const CPU_BLAS = 'cpu-blas';

/** What the subclass below touches of tfjs's MathBackendCPU. */
interface MathBackendCPU extends KernelBackend {
  data: { has(id: DataId): boolean; get(id: DataId): { values?: unknown } };
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/**
 * Registers the 'cpu-blas' backend (once) and returns what runs it, e.g. 'cpu (OpenBLAS 0.3.21 Cooperlake, 2 threads)'.
 * Throws, saying why, where the addon is not built or no BLAS library is installed; nothing is registered then.
 *
 * The backend is a MathBackendCPU: every cpu kernel is registered for it too, and the hot ones (matmul,
 * the elementwise ops of a dense layer and of the SGD update, the bias gradient's sum) are replaced by
 * native ones that fall back to the cpu kernel for shapes or dtypes they do not handle. Their output arrays
 * are recycled (pool.ts). The plain 'cpu' backend is left exactly as it was.
 */
export function registerCpuBlas(): string {
  const blas = loadNativeBlas();
  kernels = blas.kernels;
  if (!tf.findBackendFactory(CPU_BLAS)) {
    const cpuFactory = tf.findBackendFactory('cpu');
    if (!cpuFactory) throw new Error("tfjs's cpu backend is not registered");
    for (const config of tf.getKernelsForBackend('cpu')) {
      const fast = FAST_KERNELS[config.kernelName];
      tf.registerKernel({
        ...config,
        backendName: CPU_BLAS,
        kernelFunc: fast ? withFallback(config.kernelName, fast, blas.kernels, config.kernelFunc) : guardAliases(config.kernelFunc),
      });
    }
    // Priority 0: tfjs never picks it by itself; selectBackend does.
    tf.registerBackend(CPU_BLAS, recyclingBackend(cpuFactory as () => MathBackendCPU), 0);
  }
  return describe(blas);
}

/** A factory for a MathBackendCPU subclass that returns freed arrays to the pool and marks read-out ones escaped. */
function recyclingBackend(cpuFactory: () => MathBackendCPU): () => MathBackendCPU {
  const probe = cpuFactory();
  const Base = probe.constructor as new () => MathBackendCPU;
  probe.dispose();
  class CpuBlasBackend extends Base {
    override readSync(dataId: DataId): backend_util.BackendValues {
      const values = super.readSync(dataId);
      pool.escape(values);
      return values;
    }

    override dispose(): void {
      super.dispose();
      pool.clear();
    }

    override disposeData(dataId: DataId, force = false): boolean {
      const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
      const freed = super.disposeData(dataId, force);
      if (freed && values !== undefined) pool.release(values);
      return freed;
    }
  }
  return () => new CpuBlasBackend();
}

export function describe(blas: NativeBlas): string {
  const [name, version, ...rest] = blas.config.split(' ');
  // OpenBLAS's config names the kernel it picked for this CPU (e.g. 'Cooperlake') after its build options.
  const core = name === 'OpenBLAS' ? rest.find((word) => /^[A-Z][a-z]+[A-Za-z0-9]*$/.test(word) && !/^MAX_/.test(word)) : undefined;
  const library = blas.config ? [name, version, core].filter(Boolean).join(' ') : blas.library;
  const threads = blas.threads === null ? '' : `, ${blas.threads} thread${blas.threads === 1 ? '' : 's'}`;
  return `cpu (${library}${threads})`;
}

let kernels: NativeKernels | null = null;

/**
 * variable += scale · gradient in the variable's own array, on 'cpu-blas'; false (nothing done) elsewhere,
 * or where the array may be seen by someone else: another tensor shares it, or it was read out.
 */
export function updateInPlace(variable: tf.Variable, gradient: tf.Tensor, scale: number): boolean {
  if (!kernels || tf.getBackend() !== CPU_BLAS || variable.dtype !== 'float32' || gradient.dtype !== 'float32') return false;
  const data = (tf.backend() as unknown as { data: { get(id: DataId): { values?: unknown; refCount?: number } | undefined } }).data;
  const target = data.get(variable.dataId);
  const values = target?.values;
  const gradientValues = data.get(gradient.dataId)?.values;
  if (!(values instanceof Float32Array) || !(gradientValues instanceof Float32Array) || target!.refCount !== 1 || pool.isEscaped(values)) return false;
  if (values.length !== gradientValues.length) return false;
  kernels.sgdStep(values, gradientValues, scale);
  return true;
}

/** Drops the recycled arrays kept for the next step, e.g. when a long-lived thread goes idle between runs. */
export function releaseCaches(): void {
  pool.clear();
}
