import { poll, type TrainyardClient } from '#libs/client';
import type { PrismaClient } from '#libs/database';
import { type AppProcess, startWorker } from '#libs/launcher';
import { drawShapes, shapesZip } from '#libs/samples';
import { solidPng, startSystem, zipOf } from '#libs/testing';

// HTTP → BullMQ → two real worker processes → Postgres → HTTP, on a schema and queue prefix of its own.
describe('Trainyard end to end', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let prisma: PrismaClient;
  let api: TrainyardClient;
  let env: Record<string, string>;
  let workers: AppProcess[] = [];
  let datasetId: string;

  const runBody = (epochs: number, seed = 1) => ({
    datasetId,
    layers: [{ units: 32, activation: 'relu' }],
    optimizer: { name: 'sgd', learningRate: 0.1 },
    batchSize: 16,
    epochs,
    seed,
    validationSplit: 0.25,
  });

  beforeAll(async () => {
    // Every epoch checkpointed, so the killed and stopped runs below resume from the middle, not from the start.
    system = await startSystem({ workers: 2, env: { JOB_LOCK_MS: '3000', PREPROCESS_CHUNK_SIZE: '25', CHECKPOINT_SECONDS: '0' } });
    ({ api, prisma, env, workers } = system);
  }, 60_000);

  afterAll(() => system?.stop());

  it('lists both workers as live, with their backend', async () => {
    const live = (await api.listWorkers()).items;
    expect(live).toHaveLength(2);
    for (const worker of live) expect(worker).toMatchObject({ backend: 'cpu', device: 'cpu', gpu: false, currentJob: null });
  });

  it('preprocesses an uploaded zip in chunks shared by the workers, one stored sample per image', async () => {
    const zip = await shapesZip({ perClass: 30, size: 32, seed: 'e2e' });
    const accepted = await api.uploadDataset(zip, { name: 'shapes', width: 12, height: 12 });
    expect(accepted.status).toBe('PENDING');
    const dataset = await api.waitForDataset(accepted.id, 60_000);
    expect(dataset).toMatchObject({ status: 'READY', numSamples: 90, classes: ['circle', 'square', 'triangle'], width: 12, height: 12, skipped: [] });
    const samples = await prisma.sample.findMany({ where: { datasetId: dataset.id }, orderBy: { index: 'asc' } });
    expect(samples.map((s) => s.index)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(samples.every((s) => s.pixels.byteLength === 144)).toBe(true);
    expect(samples[0]!.file).toBe('circle/0001.png');
    datasetId = dataset.id;
  }, 60_000);

  it('skips and reports a corrupt image inside a good zip, and fails a dataset with no readable image', async () => {
    const good = await api.uploadDataset(await zipOf({ 'a/1.png': await solidPng(10), 'a/2.png': Buffer.from('not a png'), 'b/1.png': await solidPng(240) }));
    const dataset = await api.waitForDataset(good.id, 30_000);
    expect(dataset).toMatchObject({ status: 'READY', numSamples: 2 });
    expect(dataset.skipped).toEqual([{ file: 'a/2.png', reason: expect.stringMatching(/.+/) }]);

    const bad = await api.uploadDataset(await zipOf({ 'a/1.png': Buffer.from('junk'), 'b/1.png': Buffer.from('junk') }));
    const failed = await api.waitForDataset(bad.id, 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toContain('a/1.png');
    expect(await prisma.sample.count({ where: { datasetId: bad.id } })).toBe(0);
  }, 60_000);

  it('trains a run to SUCCEEDED with one metric row per epoch and a stored model version', async () => {
    const { id, status } = await api.createRun(runBody(3));
    expect(status).toBe('QUEUED');
    const run = await api.waitForRun(id, undefined, 60_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (const m of run.metrics) {
      expect(m.loss).toBeGreaterThan(0);
      expect(m.valAccuracy).toBeGreaterThanOrEqual(0);
    }
    expect(run.backend).toBe('cpu');
    expect(run.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(run.modelVersion?.version).toBe(1);
    const version = await prisma.modelVersion.findUniqueOrThrow({ where: { runId: id }, include: { blob: true } });
    // 144 inputs → 32 relu → 3 softmax: (144·32 + 32) + (32·3 + 3) float32 parameters
    expect(Number(version.blob.size)).toBe(((144 * 32 + 32) + (32 * 3 + 3)) * 4);
    expect((await api.listRuns({ status: 'SUCCEEDED' })).items.map((r) => r.id)).toContain(id);
    // The ledger keeps the newest epoch and the training time on the run row, for search.
    const { epoch, loss, accuracy, valLoss, valAccuracy } = run.metrics[2]!;
    expect(run.final).toEqual({ epoch, loss, accuracy, valLoss, valAccuracy });
    expect(run.durationSeconds).toBeCloseTo(run.metrics.reduce((sum, m) => sum + m.seconds, 0), 6);
    expect(await prisma.checkpoint.count({ where: { runId: id } })).toBe(0);
  }, 60_000);

  it('lists the trained model and classifies new images with the spec its dataset was built with', async () => {
    const models = await api.request<{ items: { id: string; name: string; latestVersion: { version: number } | null }[] }>('GET', '/models');
    const model = models.items.find((m) => m.name === 'shapes')!;
    expect(model.latestVersion?.version).toBe(1);
    const detail = await api.request<{ versions: { version: number; parameters: number; finalMetrics: { epoch: number } }[] }>('GET', `/models/${model.id}`);
    expect(detail.versions[0]).toMatchObject({ version: 1, parameters: 144 * 32 + 32 + 32 * 3 + 3, finalMetrics: { epoch: 3 } });

    const images = await drawShapes({ perClass: 1, size: 40, seed: 'predict' });
    const form = new FormData();
    for (const image of images) form.append('files', new Blob([image.png]), image.path.replace('/', '-'));
    const { predictions, version } = await api.request<{ version: number; predictions: { file: string; label: string; probabilities: Record<string, number> }[] }>('POST', `/models/${model.id}/predict`, form);
    expect(version).toBe(1);
    expect(predictions.map((p) => p.file)).toEqual(images.map((i) => i.path.replace('/', '-')));
    for (const p of predictions) {
      const total = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 5);
      expect(p.label).toBe(Object.entries(p.probabilities).sort((a, b) => b[1] - a[1])[0]![0]);
    }

    const junk = new FormData();
    junk.append('files', new Blob([Buffer.from('not an image')]), 'junk.png');
    await expect(api.request('POST', `/models/${model.id}/predict`, junk)).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('junk.png') } });
    const tooNew = new FormData();
    tooNew.append('files', new Blob([images[0]!.png]), 'x.png');
    tooNew.append('version', '99');
    await expect(api.request('POST', `/models/${model.id}/predict`, tooNew)).rejects.toMatchObject({ status: 404 });
  });

  it('shares queued runs between the workers', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(async (seed) => (await api.createRun(runBody(4, seed))).id));
    const runs = await Promise.all(ids.map((id) => api.waitForRun(id, undefined, 90_000)));
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(new Set(runs.map((r) => r.workerId)).size).toBe(2);
  }, 90_000);

  it('resumes a killed worker\'s run on the other worker, ending as an uninterrupted run would', async () => {
    const body = { ...runBody(150, 9), batchSize: 4 };
    const { id } = await api.createRun(body);
    const early = await poll(() => api.getRun(id), (r) => r.metrics.length >= 3, 30_000);
    const victim = workers.find((w) => early.workerId?.includes(`-${w.child.pid}-`))!;
    await victim.kill(); // SIGKILL: no checkpoint, no goodbye

    const run = await api.waitForRun(id, undefined, 120_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.metrics.map((m) => m.epoch)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(run.workerId).not.toBe(early.workerId);
    expect(run.history.map((h) => `${h.from}->${h.to}`)).toEqual([
      'null->QUEUED', 'QUEUED->RUNNING', 'RUNNING->QUEUED', 'QUEUED->RUNNING', 'RUNNING->SUCCEEDED',
    ]);

    const control = await api.waitForRun((await api.createRun(body)).id, undefined, 120_000);
    expect(control.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    // The same seed on the same backend: resuming from a checkpoint reproduces the uninterrupted run.
    expect(run.metrics.at(-1)!.loss).toBeCloseTo(control.metrics.at(-1)!.loss, 5);
    expect(run.metrics.at(-1)!.valAccuracy).toBe(control.metrics.at(-1)!.valAccuracy);
  }, 240_000);

  it('takes on a worker added while runs go on', async () => {
    workers = [...workers.filter((w) => w.running), await startWorker(env, 'worker-3')];
    system.adopt(workers.at(-1)!);
    // The killed worker stops being listed once its last heartbeat is older than the liveness window.
    const live = await poll(async () => (await api.listWorkers()).items, (ws) => ws.length === 2, 20_000);
    expect(live.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());
  }, 60_000);

  it('hands a run back at once when its worker is asked to stop (SIGTERM)', async () => {
    const { id } = await api.createRun({ ...runBody(150, 11), batchSize: 4 });
    const early = await poll(() => api.getRun(id), (r) => r.metrics.length >= 3, 30_000);
    const leaving = workers.find((w) => early.workerId?.includes(`-${w.child.pid}-`))!;
    const asked = Date.now();
    await leaving.stop();
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect((await api.listWorkers()).items.map((w) => w.id)).not.toContain(early.workerId);

    const run = await api.waitForRun(id, undefined, 120_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.metrics.map((m) => m.epoch)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const handBack = run.history.find((h) => h.from === 'RUNNING' && h.to === 'QUEUED')!;
    expect(handBack.message).toContain('stopping');
    expect(run.attempt).toBe(2);
    workers = [workers.find((w) => w.running)!, await startWorker(env, 'worker-4')];
    system.adopt(workers[1]!);
  }, 180_000);

  it('cancels a running run within a batch and a queued one before it starts', async () => {
    const long = { ...runBody(500, 5), batchSize: 4 };
    const [a, b, queued] = [await api.createRun(long), await api.createRun(long), await api.createRun(long)];
    await poll(() => api.getRun(a.id), (r) => r.metrics.length >= 2, 30_000);
    await poll(() => api.getRun(b.id), (r) => r.status === 'RUNNING', 30_000);

    expect((await api.request<{ status: string }>('POST', `/runs/${queued.id}/cancel`)).status).toBe('CANCELLED');
    const cancelled = await api.request<{ status: string }>('POST', `/runs/${a.id}/cancel`);
    expect(cancelled.status).toBe('CANCELLED');
    await expect(api.request('POST', `/runs/${a.id}/cancel`)).rejects.toMatchObject({ status: 409 });

    // The freed worker would take the queued run next if its cancellation had not removed it.
    await poll(async () => (await api.listWorkers()).items, (ws) => ws.filter((w) => w.currentJob).length === 1, 10_000);
    const kept = (await api.getRun(a.id)).metrics.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stopped = await api.getRun(a.id);
    expect(stopped.status).toBe('CANCELLED');
    expect(stopped.metrics.length).toBe(kept);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect((await api.getRun(queued.id)).history.map((h) => h.to)).toEqual(['QUEUED', 'CANCELLED']);
    await api.request('POST', `/runs/${b.id}/cancel`);
  }, 90_000);

  it('trains the whole model spec: leakyRelu, no biases, rmsprop with weight decay, mse, early stopping', async () => {
    const { id } = await api.createRun({
      ...runBody(300, 3),
      layers: [{ units: 24, activation: 'leakyRelu', init: 'he' }, { units: 12, activation: 'tanh' }],
      optimizer: { name: 'rmsprop', learningRate: 0.01, weightDecay: 0.001 },
      loss: 'mse',
      bias: false,
      earlyStopping: { patience: 2 },
      checkpointEvery: 2,
    } as never);
    const run = await api.waitForRun(id, undefined, 60_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.metrics.length).toBeLessThan(300);
    expect(run.history.at(-1)!.message).toMatch(/^early stopping at epoch \d+/);
    const version = await prisma.modelVersion.findUniqueOrThrow({ where: { runId: id }, include: { blob: true } });
    expect(Number(version.blob.size)).toBe((144 * 24 + 24 * 12 + 12 * 3) * 4);
    // An ended run is never resumed, so its checkpoints are gone with it.
    expect(await prisma.checkpoint.count({ where: { runId: id } })).toBe(0);
  }, 60_000);

  it('fails a diverging run once, naming the epoch and batch, without retrying it', async () => {
    const { id } = await api.createRun({ ...runBody(3), layers: [{ units: 8, activation: 'linear' }], optimizer: { name: 'sgd', learningRate: 1e9 } });
    const run = await api.waitForRun(id, undefined, 60_000);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/^loss diverged at epoch 1, batch \d+$/);
    expect(run.attempt).toBe(1);
  }, 60_000);
});
