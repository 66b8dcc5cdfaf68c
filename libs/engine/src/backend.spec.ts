import * as tf from '@tensorflow/tfjs';
import type { Architecture, TrainingSpec } from '#libs/contracts';
import { BackendUnavailableError, selectBackend } from './backend.js';
import { adapterName, isSoftwareAdapter } from './webgpu.js';
import { epochsOn } from './testing/epochs-on.js';
import { xorBlobs } from './testing/toy-data.js';

async function importable(pkg: string): Promise<boolean> {
  try {
    const specifier: string = pkg;
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await selectBackend('cpu');
});

describe('selectBackend', () => {
  it('switches tfjs to the plain JavaScript cpu backend when asked', async () => {
    expect(await selectBackend('cpu')).toEqual({ name: 'cpu', device: 'cpu', gpu: false });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('loads the wasm backend and says whether it runs SIMD code', async () => {
    const info = await selectBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.device).toMatch(/^cpu \(wasm( simd)?(, threads)?\)$/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('names both tfjs-node packages when tensorflow is forced where neither loads', async () => {
    const installed = (await importable('@tensorflow/tfjs-node-gpu')) || (await importable('@tensorflow/tfjs-node'));
    if (installed) {
      // A production image: forcing it must then work.
      expect((await selectBackend('tensorflow')).name).toBe('tensorflow');
      return;
    }
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/^compute backend 'tensorflow' could not be loaded: @tensorflow\/tfjs-node-gpu is not installed.*; @tensorflow\/tfjs-node is not installed/);
  });

  it('falls back on auto to the fastest backend that loads', async () => {
    const info = await selectBackend('auto');
    const nodeInstalled = (await importable('@tensorflow/tfjs-node-gpu')) || (await importable('@tensorflow/tfjs-node'));
    // cpu-blas (tfjs cpu with OpenBLAS and native kernels, blas/cpu-blas.ts) where its addon and a BLAS library load.
    const blas = await selectBackend('cpu-blas').then(
      () => true,
      () => false,
    );
    expect(info.name).toBe(nodeInstalled ? 'tensorflow' : blas ? 'cpu-blas' : 'wasm');
  });
});

describe('the wasm backend', () => {
  it('trains to the same metrics as the cpu backend, within float32 rounding', async () => {
    const architecture: Architecture = {
      inputSize: 64,
      layers: [{ units: 16, activation: 'tanh' }],
      classes: ['different', 'same'],
      input: { width: 8, height: 8, channels: 1 },
    };
    const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 32, epochs: 3, seed: 5, validationSplit: 0.2 };
    const data = xorBlobs(400, 8);
    const cpu = await epochsOn('cpu', data, spec, architecture);
    const wasm = await epochsOn('wasm', data, spec, architecture);
    wasm.forEach((e, i) => {
      expect(Math.abs(e.loss - cpu[i]!.loss)).toBeLessThan(1e-5);
      expect(Math.abs(e.valLoss! - cpu[i]!.valLoss!)).toBeLessThan(1e-5);
      expect(Math.abs(e.accuracy - cpu[i]!.accuracy)).toBeLessThanOrEqual(1 / 320);
    });
  });
});

describe('telling a GPU adapter from a software one', () => {
  // As Dawn describes them: the H200's Vulkan driver, SwiftShader (Chromium's), lavapipe (Mesa's), and WARP.
  // The H200's fields are Dawn's format as seen on SwiftShader, not read off an H200 yet.
  const h200 = { vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: 'NVIDIA 580.159.03', isFallbackAdapter: false };
  const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };

  it('takes a hardware adapter for a GPU and names it', () => {
    expect(isSoftwareAdapter(h200)).toBe(false);
    expect(adapterName(h200)).toBe('nvidia-h200 (WebGPU; NVIDIA 580.159.03)');
  });

  it('calls SwiftShader, llvmpipe/lavapipe and WARP software, whether or not Dawn flags them as fallbacks', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter({ ...swiftshader, isFallbackAdapter: false })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(adapterName(swiftshader)).toBe('swiftshader-device-subzero (WebGPU, software; SwiftShader driver 5.0.0)');
  });
});
