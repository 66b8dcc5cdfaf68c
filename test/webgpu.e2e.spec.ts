import type { EvaluationView } from '#libs/contracts';
import { shapesZip } from '#libs/samples';
import { softwareGpuEnv, startSystem } from '#libs/testing';

// A worker on the webgpu backend (Dawn over SwiftShader, a CPU Vulkan driver) trains a run through the API.
// Fails, never skips, where SwiftShader is missing: .ci/run installs it (chromium, libvulkan1).
describe('a webgpu worker end to end', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    system = await startSystem({ workers: 1, env: { TRAIN_BACKEND: 'webgpu', ...softwareGpuEnv() } });
  }, 90_000);

  afterAll(() => system?.stop());

  it('reports its adapter by name and says it is no GPU', async () => {
    const [worker] = (await system.api.listWorkers()).items;
    expect(worker).toMatchObject({ backend: 'webgpu', device: expect.stringMatching(/^swiftshader.*\(WebGPU, software; SwiftShader driver [\d.]+\)$/), gpu: false });
  });

  it('trains a run to SUCCEEDED on the device, with one metric row per epoch, a model version and its test evaluation', async () => {
    const zip = await shapesZip({ perClass: 20, size: 16, seed: 'webgpu' });
    const dataset = await system.api.waitForDataset((await system.api.uploadDataset(zip, { name: 'shapes', width: 8, height: 8 })).id, 60_000);
    expect(dataset.status).toBe('READY');
    const { id } = await system.api.createRun({
      datasetId: dataset.id,
      layers: [{ units: 16, activation: 'relu' }],
      optimizer: { name: 'adam', learningRate: 0.01 },
      batchSize: 16,
      epochs: 3,
      seed: 1,
      validationSplit: 0.25,
    });
    const run = await system.api.waitForRun(id, undefined, 90_000);
    expect(run).toMatchObject({ status: 'SUCCEEDED', backend: 'webgpu' });
    expect(run.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(run.metrics.every((m) => Number.isFinite(m.loss) && m.valAccuracy !== null)).toBe(true);
    expect(run.metrics[2]!.loss).toBeLessThan(run.metrics[0]!.loss);
    expect(run.modelVersion?.version).toBe(1);
    // Scored in the training thread, on the same device, once training ends.
    const evaluation = await system.api.request<EvaluationView>('GET', `/runs/${id}/evaluation`);
    expect(evaluation.samples).toBeGreaterThan(0);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(evaluation.samples);
  }, 120_000);
});
