import { shapesZip } from '#libs/samples';
import { METRIC } from '#libs/metrics';
import { freePort, startSystem } from '#libs/testing';

// Prometheus series from the built API and a real worker, after a dataset is preprocessed and a run trained.
describe('metrics', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let apiMetricsPort: number;
  let workerPort: number;
  let runId: string;

  const text = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  };
  const sample = (body: string, name: string, labels: Record<string, string> = {}) => {
    const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  beforeAll(async () => {
    [apiMetricsPort, workerPort] = [await freePort(), await freePort()];
    system = await startSystem({ workers: 1, env: { PREPROCESS_CHUNK_SIZE: '40' }, apiEnv: { METRICS_PORT: String(apiMetricsPort) }, workerEnv: { METRICS_PORT: String(workerPort) } });
    const upload = await system.api.uploadDataset(await shapesZip({ perClass: 20, size: 16, seed: 'metrics' }), { width: 8, height: 8 });
    await system.api.waitForDataset(upload.id, 60_000);
    const run = await system.api.createRun({ datasetId: upload.id, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 16, epochs: 2, seed: 3 });
    runId = run.id;
    await system.api.waitForRun(run.id, () => {}, 60_000);
  }, 120_000);

  afterAll(() => system?.stop());

  it('exports queue depths, runs per status and HTTP latency per route pattern from the API', async () => {
    const { status, body, type } = await text(`http://127.0.0.1:${apiMetricsPort}/metrics`);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    expect(sample(body, METRIC.queueJobs, { queue: 'train', state: 'waiting' })).toBe(0);
    expect(sample(body, METRIC.queueJobs, { queue: 'preprocess', state: 'active' })).toBe(0);
    expect(body.split('\n').filter((l) => l === `# TYPE ${METRIC.queueJobs} gauge`)).toHaveLength(1);
    expect(sample(body, METRIC.runs, { status: 'SUCCEEDED' })).toBe(1);
    expect(sample(body, `${METRIC.httpDuration}_count`, { method: 'POST', route: '/runs', status: '202' })).toBe(1);
    // Polls of one run are counted under one pattern, not one series per id.
    expect(sample(body, `${METRIC.httpDuration}_count`, { method: 'GET', route: '/runs/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(body).not.toContain(runId);
  });

  it("exports each worker's epochs, samples per second and preprocessed images on its own port", async () => {
    const { status, body } = await text(`http://127.0.0.1:${workerPort}/metrics`);
    expect(status).toBe(200);
    expect(sample(body, METRIC.epochs)).toBe(2);
    expect(sample(body, METRIC.samplesPerSecond)).toBeGreaterThan(0);
    expect(sample(body, METRIC.preprocessedImages)).toBe(60);
    expect(sample(body, METRIC.preprocessImagesPerSecond)).toBeGreaterThan(0);
    expect(body).toMatch(new RegExp(`${METRIC.epochs}\\{[^}]*worker="[^"]+"`));
  });

  it("answers the worker's liveness and readiness on the same port", async () => {
    expect((await text(`http://127.0.0.1:${workerPort}/health/live`)).status).toBe(200);
    const ready = await text(`http://127.0.0.1:${workerPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ok', details: { postgres: 'up', redis: 'up' } });
  });
});
