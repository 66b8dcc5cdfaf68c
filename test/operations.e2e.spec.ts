import { shapesZip } from '#libs/samples';
import { METRIC } from '#libs/metrics';
import { freePort, startSystem } from '#libs/testing';

// What an operator watches — Prometheus series and JSON logs — from the built API and a real worker, after a
// dataset is preprocessed and a run trained.
describe('operations', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let apiMetricsPort: number;
  let workerPort: number;
  let runId: string;
  let datasetId: string;

  const text = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  };
  const jsonLines = (output: string[]) =>
    output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  const sample = (body: string, name: string, labels: Record<string, string> = {}) => {
    const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  beforeAll(async () => {
    [apiMetricsPort, workerPort] = [await freePort(), await freePort()];
    system = await startSystem({ workers: 1, env: { PREPROCESS_CHUNK_SIZE: '40', LOG_FORMAT: 'json' }, apiEnv: { METRICS_PORT: String(apiMetricsPort) }, workerEnv: { METRICS_PORT: String(workerPort) } });
    const upload = await system.api.uploadDataset(await shapesZip({ perClass: 20, size: 16, seed: 'metrics' }), { width: 8, height: 8 });
    await system.api.waitForDataset(upload.id, 60_000);
    const run = await system.api.createRun({ datasetId: upload.id, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 16, epochs: 2, seed: 3 });
    runId = run.id;
    await system.api.waitForRun(run.id, () => {}, 60_000);
    datasetId = upload.id;
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

  it('serves /metrics on the public port to admins only', async () => {
    expect((await text(`${system.url}/metrics`)).status).toBe(401);
    const { client: viewer } = await system.clientAs('viewer');
    expect((await text(`${system.url}/metrics`, viewer.authHeaders)).status).toBe(403);
    const admin = await text(`${system.url}/metrics`, { authorization: `Bearer ${system.adminKey}` });
    expect(admin.status).toBe(200);
    expect(admin.body).toContain(`${METRIC.runs}{status="SUCCEEDED"} 1`);
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

  it('logs JSON lines with the request id on every line of a request', async () => {
    const response = await fetch(`${system.url}/runs/${runId}`, { headers: { 'x-request-id': 'ops-request-1', authorization: `Bearer ${system.adminKey}` } });
    expect(response.headers.get('x-request-id')).toBe('ops-request-1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = jsonLines(system.apiProcess.output).filter((l) => l.reqId === 'ops-request-1');
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request completed', req: { method: 'GET', url: `/runs/${runId}` }, res: { statusCode: 200 } }));
    // Requests without an id get one of their own.
    const other = jsonLines(system.apiProcess.output).filter((l) => l.msg === 'request completed' && l.reqId !== 'ops-request-1');
    expect(other.length).toBeGreaterThan(0);
    expect(other.every((l) => typeof l.reqId === 'string' && l.reqId.length > 0)).toBe(true);
  });

  it("logs the run's or dataset's id on every worker line about a job", () => {
    const lines = jsonLines(system.workers[0]!.output);
    const aboutRun = lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(runId));
    const aboutDataset = lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(`dataset ${datasetId}`));
    expect(aboutRun.length).toBeGreaterThan(0);
    expect(aboutDataset.length).toBeGreaterThan(0);
    for (const line of aboutRun) expect(line).toMatchObject({ runId, job: 'train-run' });
    for (const line of aboutDataset) expect(line).toMatchObject({ datasetId });
  });
});
