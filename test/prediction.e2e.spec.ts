import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { Architecture } from '#libs/contracts';
import { BlobStore, PgBinary, type PrismaClient } from '#libs/database';
import { encodeWeights, initialValues, predict, selectBackend } from '#libs/engine';
import { activationTable, storedSpec, toPixels } from '#libs/preprocess';
import { startApi } from '#libs/launcher';
import { startSystem, uniqueName } from '#libs/testing';
import { startTestApi } from '../apps/api/src/testing/test-app.js';
import { PredictionPool } from '../apps/api/src/models/prediction-pool.js';
import { WeightsCache } from '../apps/api/src/models/weights-cache.js';

interface Predictions {
  version: number;
  predictions: { file: string; label: string; probabilities: Record<string, number> }[];
}

/** A model version stored as a worker would store it, with seeded weights: no training needed to predict. */
async function storeVersion(prisma: Pick<PrismaClient, 'model' | 'modelVersion'>, blobs: BlobStore, architecture: Architecture) {
  const weights = encodeWeights(initialValues(architecture, 7));
  const blob = await blobs.write(weights);
  const model = await prisma.model.create({ data: { name: uniqueName('model') } });
  const version = await prisma.modelVersion.create({ data: { modelId: model.id, version: 1, architecture: architecture as never, blobId: blob.id } });
  return { modelId: model.id, versionId: version.id, weights };
}

/** Noise images of a size, distinct per seed. */
const noisePng = (size: number, seed: number) =>
  sharp(Buffer.from(Array.from({ length: size * size }, (_, i) => (i * 7919 + seed * 104_729) % 256)), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();

function imagesForm(images: Buffer[], extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  images.forEach((png, i) => form.append('files', new Blob([png]), `image-${i}.png`));
  for (const [name, value] of Object.entries(extra)) form.append(name, value);
  return form;
}

/** What POST /models/:id/predict answered before it moved to threads: the same steps, on this thread. */
async function inLoopProbabilities(architecture: Architecture, weights: Uint8Array, images: Buffer[]): Promise<number[][]> {
  const spec = storedSpec(architecture.input, architecture.preprocess);
  const pixels = new Uint8Array(images.length * architecture.inputSize);
  for (const [i, png] of images.entries()) pixels.set(await toPixels(png, spec), i * architecture.inputSize);
  return predict(architecture, weights, pixels, activationTable(spec));
}

/** CPU time a process's main thread (its event loop) has used, from /proc; Linux counts it in 10 ms ticks. */
function mainThreadCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of the whole line (USER_HZ is 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The 95th percentile: the smallest latency at least 95% of requests did not exceed. */
function p95(latencies: number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.95) - 1]!;
}

describe('prediction runs in a thread pool, off the API\'s event loop', () => {
  // 128×128 inputs into 1,024 units: ~17M multiply-adds per image, so a request of 6 images is a
  // few hundred ms of forward pass: far past 50 ms, had it run on the event loop.
  const heavy: Architecture = {
    inputSize: 128 * 128,
    layers: [{ units: 1024, activation: 'relu' }],
    classes: ['circle', 'square', 'triangle'],
    input: { width: 128, height: 128, channels: 1 },
    preprocess: { width: 128, height: 128, mean: [0.5], std: [0.25] },
  };
  const LIMITS = { PREDICT_THREADS: '1', PREDICT_QUEUE: '9', MAX_PREDICT_IMAGES: '8' };
  let system: Awaited<ReturnType<typeof startSystem>>;
  let pg: PgBinary;
  let model: Awaited<ReturnType<typeof storeVersion>>;
  let images: Buffer[];
  let expected: number[][];
  let inLoopMs: number;
  let inLoopCpuMs: number;

  beforeAll(async () => {
    await selectBackend('cpu');
    system = await startSystem({ workers: 0, apiEnv: LIMITS });
    pg = new PgBinary(system.env.DATABASE_URL);
    model = await storeVersion(system.prisma, new BlobStore(pg), heavy);
    images = await Promise.all(Array.from({ length: 6 }, (_, i) => noisePng(128, i)));
    const started = performance.now();
    const cpu = mainThreadCpuMs(process.pid);
    expected = await inLoopProbabilities(heavy, model.weights, images);
    inLoopCpuMs = mainThreadCpuMs(process.pid) - cpu;
    inLoopMs = performance.now() - started;
  }, 120_000);

  afterAll(async () => {
    await pg?.pool.end();
    await system?.stop();
  });

  const predictOnce = (form: FormData) => fetch(`${system.url}/models/${model.modelId}/predict`, { method: 'POST', headers: system.api.authHeaders, body: form });

  it('answers the exact probabilities the in-loop prediction gave, for each image', async () => {
    const response = await predictOnce(imagesForm(images));
    expect(response.status).toBe(201);
    const body = (await response.json()) as Predictions;
    expect(body.version).toBe(1);
    expect(body.predictions.map((p) => p.file)).toEqual(images.map((_, i) => `image-${i}.png`));
    expect(body.predictions.map((p) => heavy.classes.map((c) => p.probabilities[c]))).toEqual(expected);
    body.predictions.forEach((p, i) => expect(p.label).toBe(heavy.classes[expected[i]!.indexOf(Math.max(...expected[i]!))]));
  });

  it('keeps the forward passes off the event loop: the API\'s main thread spends under a third of the CPU 10 forward passes take', async () => {
    const pid = system.apiProcess.child.pid!;
    const before = mainThreadCpuMs(pid);
    const responses = await Promise.all(Array.from({ length: 10 }, () => predictOnce(imagesForm(images))));
    const spent = mainThreadCpuMs(pid) - before;
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const r of responses) expect(((await r.json()) as Predictions).predictions.map((p) => heavy.classes.map((c) => p.probabilities[c]))).toEqual(expected);
    console.log(`API main thread: ${spent} ms of CPU for 10 predictions; one forward pass on a main thread: ${inLoopCpuMs} ms of CPU`);
    // CPU time, not wall time: a busy machine stretches both sides alike. On the loop it would be all of it.
    expect(spent).toBeLessThan((10 * inLoopCpuMs) / 3);
  }, 120_000);

  it('keeps GET /runs\' p95 under 50 ms while 10 predictions run (twice an idle twin API\'s p95 when the machine is busier than that)', async () => {
    // A second API on the same database, timed in the same moments but sent no predictions: what this
    // machine's load (the prediction threads' CPU included) does to any API, which no code can lower.
    const twin = await startApi({ ...system.env, ...LIMITS });
    system.adopt(twin.api);
    const getRuns = async (url: string) => {
      const started = performance.now();
      const response = await fetch(`${url}/runs`, { headers: system.api.authHeaders });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await Promise.all([getRuns(system.url), getRuns(twin.url)]);

    let running = true;
    const started = performance.now();
    const predictions = Promise.all(Array.from({ length: 10 }, () => predictOnce(imagesForm(images)))).finally(() => (running = false));
    const busy: number[] = [];
    const idle: number[] = [];
    while (running) {
      const [a, b] = [await getRuns(system.url), await getRuns(twin.url)];
      if (running) busy.push(a), idle.push(b);
      await sleep(20);
    }
    const predictionMs = performance.now() - started;
    expect((await predictions).map((r) => r.status)).toEqual(Array(10).fill(201));

    // On a quiet machine the twin answers in a few ms and the limit is the 50 ms.
    const limit = Math.max(50, 2 * p95(idle));
    const loaded = p95(busy);
    console.log(
      `GET /runs p95: ${loaded.toFixed(1)} ms during 10 predictions (${busy.length} requests over ${predictionMs.toFixed(0)} ms), ` +
        `${p95(idle).toFixed(1)} ms on the idle twin (limit ${limit.toFixed(0)} ms); one request's forward pass on a main thread: ${inLoopMs.toFixed(0)} ms`,
    );
    // What makes this a test of the event loop: one request's forward pass alone holds a loop for more
    // than twice the limit, so with prediction on the loop nearly every GET /runs would wait past it.
    expect(inLoopMs).toBeGreaterThan(2 * limit);
    expect(loaded).toBeLessThan(limit);
    expect(busy.length).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('refuses more images than MAX_PREDICT_IMAGES with 413 naming the limit, before decoding any', async () => {
    const response = await predictOnce(imagesForm(Array.from({ length: 9 }, () => images[0]!)));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toContain('MAX_PREDICT_IMAGES');
  });

  it('answers 503 with Retry-After once PREDICT_QUEUE requests wait, and serves the rest', async () => {
    const responses = await Promise.all(Array.from({ length: 16 }, () => predictOnce(imagesForm(images))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
    // One thread plus nine waiting: at least ten are served, and with 16 sent at once some are refused.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(10);
    const refused = responses.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await r.json()) as { message: string }).message).toContain('PREDICT_QUEUE');
    }
  }, 120_000);
});

describe('the prediction pool inside one API process', () => {
  const small: Architecture = {
    inputSize: 64,
    layers: [{ units: 5, activation: 'tanh' }],
    classes: ['a', 'b'],
    input: { width: 8, height: 8, channels: 1 },
    preprocess: { width: 8, height: 8 },
  };

  it('keeps a version\'s weights after the first prediction, forgets them when the version is deleted, and leaves no thread behind when the app closes', async () => {
    const api = await startTestApi({ PREDICT_THREADS: '2' });
    const blobs = api.app.get(BlobStore);
    const cache = api.app.get(WeightsCache);
    const pool = api.app.get(PredictionPool);
    let threads: { threadId: number }[] = [];
    try {
      const { modelId, versionId } = await storeVersion(api.prisma, blobs, small);
      let reads = 0;
      const stream = blobs.stream.bind(blobs);
      blobs.stream = (...args) => (reads++, stream(...args));
      const form = async () => imagesForm([await noisePng(8, 1), await noisePng(8, 2)]);
      const first = await api.client.request<Predictions>('POST', `/models/${modelId}/predict`, await form());
      const second = await api.client.request<Predictions>('POST', `/models/${modelId}/predict`, await form());
      expect(second).toEqual(first);
      // Read from Postgres once, then served from the cache the threads share.
      expect(reads).toBe(1);
      expect(cache.has(versionId)).toBe(true);

      await api.client.request('DELETE', `/models/${modelId}/versions/1`);
      expect(cache.has(versionId)).toBe(false);
      threads = [...pool.threads];
      expect(threads.length).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
    // A worker's threadId turns -1 once its thread has stopped.
    expect(threads.map((t) => t.threadId)).toEqual(threads.map(() => -1));
    expect(pool.threads).toHaveLength(0);
  }, 60_000);
});
