import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type Architecture, type OptimizerName, type TrainingSpec } from '#libs/contracts';
import { softwareGpuEnv } from '#libs/testing';
import { type BackendInfo, selectBackend } from './backend.js';
import { createNetwork, initialValues, probabilities } from './network.js';
import { gradientCheck } from './testing/gradient-check.js';
import { noise, xorBlobs } from './testing/toy-data.js';
import { train, type EpochResult, type TrainOptions } from './trainer.js';
import type { LabelledPixels } from './dataset.js';
import { stripOptimizerState } from './weights.js';

// The webgpu backend on SwiftShader (a CPU Vulkan driver) against tfjs's cpu backend. These fail, never skip,
// where SwiftShader or the `webgpu` package is missing: .ci/run installs both. Tolerances are float32 rounding
// of differently ordered sums (GPU matmuls tile their reductions), grown by a few steps of training; seen
// here: forward 1.2e-7, weights after 2 epochs 3e-8 (sgd) to 7e-7 (rmsprop).
const FORWARD = 1e-6;
const GRADIENT = 1e-6;
const TRAINED = 1e-5;

let webgpu: BackendInfo;

beforeAll(async () => {
  softwareGpuEnv(); // throws, naming what to install, where SwiftShader is missing
  webgpu = await selectBackend('webgpu');
  // Small tensors would otherwise be computed by tfjs's cpu kernels: every op here must run on the device.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}, 60_000);

afterAll(async () => {
  await selectBackend('cpu');
});

const architecture: Architecture = {
  inputSize: 64,
  layers: [{ units: 16, activation: 'tanh' }],
  classes: ['different', 'same'],
  input: { width: 8, height: 8, channels: 1 },
};

function specFor(overrides: Partial<TrainingSpec>): TrainingSpec {
  return { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 50, epochs: 2, seed: 3, validationSplit: 0.2, ...overrides };
}

async function trainOn(backend: 'cpu' | 'webgpu', data: LabelledPixels, spec: TrainingSpec, opts: Partial<TrainOptions> = {}) {
  await selectBackend(backend);
  const epochs: EpochResult[] = [];
  const result = await train(data, spec, architecture, { ...opts, onEpoch: (r) => void epochs.push(r) });
  return { ...result, epochs };
}

const floats = (weights: Uint8Array) => new Float32Array(weights.slice().buffer);
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Array.from(a).reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);
};

describe('the webgpu backend on SwiftShader', () => {
  it('loads when asked, names the software adapter and does not call it a GPU', () => {
    expect(webgpu).toEqual({ name: 'webgpu', device: expect.stringMatching(/^swiftshader.*\(WebGPU, software; SwiftShader/), gpu: false });
  });

  it('is never what auto picks, however it is installed', async () => {
    const auto = await selectBackend('auto');
    expect(auto.name).not.toBe('webgpu');
    expect(auto.gpu).toBe(false);
  });

  it('computes the forward pass of a relu-tanh network as the cpu backend does', async () => {
    const arch: Architecture = { ...architecture, inputSize: 20, layers: [{ units: 12, activation: 'relu' }, { units: 8, activation: 'tanh' }], classes: ['a', 'b', 'c'] };
    const initial = initialValues(arch, 9);
    const inputs = Array.from(noise(16, 20, 3, 2).pixels, (b) => b / 255);
    const on = async (backend: 'cpu' | 'webgpu') => {
      await selectBackend(backend);
      const network = createNetwork(arch, initial);
      const probs = tf.tidy(() => probabilities(network, tf.tensor2d(inputs, [16, 20])));
      const values = await probs.data();
      probs.dispose();
      network.dispose();
      return values;
    };
    expect(maxDifference(await on('webgpu'), await on('cpu'))).toBeLessThan(FORWARD);
  });

  it.each(ACTIVATIONS)('gives the finite-difference gradients through %s layers, and the cpu backend’s', async (activation) => {
    await selectBackend('webgpu');
    const onGpu = await gradientCheck(activation, 'crossEntropy');
    await selectBackend('cpu');
    const onCpu = await gradientCheck(activation, 'crossEntropy');
    onGpu.forEach(({ analytic, numeric }, i) => {
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-5 + 1e-3 * Math.abs(numeric));
      expect(Math.abs(analytic - onCpu[i]!.analytic)).toBeLessThan(GRADIENT);
    });
  });

  it.each<OptimizerName>(['sgd', 'momentum', 'adam', 'rmsprop'])('updates weights and optimizer state with %s as the cpu backend does', async (name) => {
    const data = xorBlobs(200, 4);
    const spec = specFor({ optimizer: { name, learningRate: name === 'adam' || name === 'rmsprop' ? 0.01 : 0.1, weightDecay: 0.01 } });
    const gpu = await trainOn('webgpu', data, spec);
    const cpu = await trainOn('cpu', data, spec);
    // Weights, then each optimizer slot (momenta, squared-gradient averages) as checkpoints store them.
    expect(maxDifference(floats(gpu.weights), floats(cpu.weights))).toBeLessThan(TRAINED);
    expect(stripOptimizerState(architecture, gpu.weights).byteLength).toBe(stripOptimizerState(architecture, cpu.weights).byteLength);
    gpu.epochs.forEach((e, i) => {
      expect(Math.abs(e.loss - cpu.epochs[i]!.loss)).toBeLessThan(TRAINED);
      expect(Math.abs(e.valLoss! - cpu.epochs[i]!.valLoss!)).toBeLessThan(TRAINED);
    });
  });

  it('stops early at the epoch the cpu backend stops at', async () => {
    // Noise cannot be learned: validation loss soon stops improving while training loss keeps falling.
    const data = noise(120, 64, 2, 4);
    const spec = specFor({ optimizer: { name: 'adam', learningRate: 0.02 }, batchSize: 40, epochs: 40, earlyStopping: { patience: 2, minDelta: 1e-3 } });
    const gpu = await trainOn('webgpu', data, spec);
    const cpu = await trainOn('cpu', data, spec);
    expect(cpu.earlyStopped).toBeDefined();
    expect(gpu.earlyStopped).toEqual(cpu.earlyStopped);
  });

  it('resumes from a checkpoint and ends where its uninterrupted run ends, and near the cpu backend', async () => {
    const data = xorBlobs(200, 5);
    const spec = specFor({ optimizer: { name: 'momentum', learningRate: 0.05 }, epochs: 3 });
    const whole = await trainOn('webgpu', data, spec);
    const resumed = await trainOn('webgpu', data, spec, { startEpoch: 1, initialWeights: whole.epochs[0]!.weights! });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
    expect(maxDifference(floats(resumed.weights), floats(whole.weights))).toBeLessThan(1e-6);
    const cpu = await trainOn('cpu', data, spec);
    expect(maxDifference(floats(resumed.weights), floats(cpu.weights))).toBeLessThan(TRAINED);
  });
});
