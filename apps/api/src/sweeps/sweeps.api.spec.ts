import { ApiError } from '#libs/client';
import { QueueName, type RunView, type SweepAccepted, type SweepView } from '#libs/contracts';
import { startTestApi } from '../testing/test-app.js';

describe('the sweeps API', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let datasetId: string;

  const base = () => ({ datasetId, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 2 });
  const create = (body: object, client = api.client) => client.request<SweepAccepted>('POST', '/sweeps', body);
  const get = (id: string) => api.client.request<SweepView>('GET', `/sweeps/${id}`);

  beforeAll(async () => {
    api = await startTestApi({ MAX_RUNS_PER_SWEEP: '12' });
    datasetId = (await api.prisma.dataset.create({ data: { name: 'shapes', status: 'READY', numSamples: 40, width: 4, height: 4, classes: ['a', 'b'] } })).id;
  });
  afterAll(() => api.close());

  async function refused(body: unknown): Promise<ApiError> {
    const count = async () => ({ sweeps: await api.prisma.sweep.count(), runs: await api.prisma.run.count(), jobs: await api.queuedJobs() });
    const before = await count();
    const error = await api.client.request('POST', '/sweeps', body).then(
      () => { throw new Error('expected the sweep to be refused'); },
      (e: unknown) => e as ApiError,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(await count()).toEqual(before);
    return error;
  }

  it('makes one run per grid combination, queues maxParallel of them and holds the rest, saying why', async () => {
    const accepted = await create({ base: base(), grid: { 'optimizer.learningRate': [0.1, 0.01], 'layers.0.units': [4, 8] }, maxParallel: 2, seed: 5 });
    expect(accepted).toMatchObject({ status: 'RUNNING' });
    expect(accepted.runIds).toHaveLength(4);

    const queued = await Promise.all(accepted.runIds.map((id) => api.jobs.queue(QueueName.Train).getJob(id)));
    expect(queued.map((job) => job !== undefined)).toEqual([true, true, false, false]);
    const held = await api.client.request<RunView>('GET', `/runs/${accepted.runIds[3]}`);
    expect(held).toMatchObject({ status: 'QUEUED', waiting: { reason: 'sweep limit: 2 of 2 running' }, seed: 5, layers: [{ units: 8 }], optimizer: { learningRate: 0.01 } });
    expect(held.history[0]!.message).toMatch(/^submitted; run 3 of sweep .*; held until one of its 2 slots frees$/);

    const sweep = await get(accepted.id);
    expect(sweep).toMatchObject({
      status: 'RUNNING', metric: 'valAccuracy', maxParallel: 2, best: null, cancelledAt: null, createdBy: { name: expect.any(String) },
      counts: { total: 4, QUEUED: 4, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0 },
      spec: { seed: 5, maxParallel: 2 },
    });
    expect(sweep.runs.map((r) => [r.id, r.index, r.params])).toEqual([
      [accepted.runIds[0], 0, { 'layers.0.units': 4, 'optimizer.learningRate': 0.1 }],
      [accepted.runIds[1], 1, { 'layers.0.units': 4, 'optimizer.learningRate': 0.01 }],
      [accepted.runIds[2], 2, { 'layers.0.units': 8, 'optimizer.learningRate': 0.1 }],
      [accepted.runIds[3], 3, { 'layers.0.units': 8, 'optimizer.learningRate': 0.01 }],
    ]);
    expect(held.sweep).toEqual({ id: accepted.id, index: 3, params: { 'layers.0.units': 8, 'optimizer.learningRate': 0.01 } });
    const listed = await api.client.listRuns({ sweepId: accepted.id, orderBy: 'createdAt' });
    expect(listed.items.map((r) => r.id).sort()).toEqual([...accepted.runIds].sort());
    expect(listed.total).toBe(4);
    const page = await api.client.request<{ total: number; limit: number; offset: number; items: { id: string }[] }>('GET', '/sweeps?limit=1');
    expect(page).toMatchObject({ limit: 1, offset: 0, items: [{ id: expect.any(String) }] });
    expect(page.total).toBeGreaterThanOrEqual(1);
  });

  it('draws the same random values again for the same seed', async () => {
    const body = { base: base(), random: { trials: 3, 'optimizer.learningRate': { min: 1e-3, max: 1, log: true }, batchSize: { min: 2, max: 16, integer: true } }, seed: 42 };
    const [a, b] = [await create(body), await create(body)];
    const params = async (id: string) => (await get(id)).runs.map((r) => r.params);
    expect(await params(a.id)).toEqual(await params(b.id));
    const runs = await Promise.all(a.runIds.map((id) => api.client.request<RunView>('GET', `/runs/${id}`)));
    expect(runs.map((r) => r.batchSize)).toEqual((await params(a.id)).map((p) => p.batchSize));
  });

  it.each([
    ['a value POST /runs would refuse', { grid: { 'optimizer.learningRate': [0.1, -1] } }, /^grid\.optimizer\.learningRate: -1 \(run 1\) is refused: optimizer\.learningRate: /],
    ['a random draw POST /runs would refuse', { random: { trials: 2, batchSize: { min: 0.5, max: 0.9 } } }, /^random\.batchSize: 0\.\d+ \(run 0\) is refused: batchSize: /],
    ['a base that lacks a field no path sets', { base: { ...{ datasetId: 'x' } }, grid: { batchSize: [4] } }, /^base\.datasetId: /],
    ['a path past the end of an array', { grid: { 'layers.1.units': [8] } }, /^grid\.layers\.1\.units: layers\.1 is not in base/],
    ['a path that is not a dotted path', { grid: { 'layers[0]': [8] } }, /grid\.layers\[0\]: /],
    ['more runs than MAX_RUNS_PER_SWEEP', { grid: { batchSize: [1, 2, 3, 4], epochs: [1, 2, 3, 4] } }, /^grid: this sweep makes 16 runs; the limit is 12 \(MAX_RUNS_PER_SWEEP\)/],
    ['a maxParallel of zero', { grid: { batchSize: [4] }, maxParallel: 0 }, /^maxParallel: /],
    ['an unknown field', { grid: { batchSize: [4] }, parallel: 2 }, /parallel/],
  ])('refuses %s with 400 naming the path, storing and queueing nothing', async (_, patch, message) => {
    const error = await refused({ base: base(), ...patch });
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(message);
  });

  it('refuses a run no worker could hold with the memory check of POST /runs, naming the run and its values', async () => {
    const error = await refused({ base: base(), grid: { 'layers.0.units': [8, 65_536], batchSize: [4, 65_536] } });
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(/^run 3 \(batchSize=65536, layers.0.units=65536\): layers, batchSize: this run needs an estimated \d+ MiB/);
  });

  it('answers 404 naming a dataset a swept value points at that does not exist', async () => {
    const error = await refused({ base: base(), grid: { datasetId: [datasetId, '00000000-0000-4000-8000-000000000000'] } });
    expect(error.status).toBe(404);
    expect(error.body.message).toBe('run 1 (datasetId="00000000-0000-4000-8000-000000000000"): dataset 00000000-0000-4000-8000-000000000000 not found');
  });

  it('picks the best succeeded run by the metric and ends SUCCEEDED once every run ended', async () => {
    const { id, runIds } = await create({ base: base(), grid: { epochs: [1, 2, 3] }, metric: 'valLoss' });
    const end = (runId: string, status: 'SUCCEEDED' | 'FAILED', valLoss: number) =>
      api.prisma.run.update({ where: { id: runId }, data: { status, finishedAt: new Date(), finalEpoch: 1, finalLoss: 1, finalAccuracy: 0.5, finalValLoss: valLoss, finalValAccuracy: 0.5 } });
    await end(runIds[0]!, 'SUCCEEDED', 0.4);
    await end(runIds[1]!, 'FAILED', 0.1); // lower, but failed: no model to pick
    expect(await get(id)).toMatchObject({ status: 'RUNNING', best: { runId: runIds[0], index: 0, value: 0.4, params: { epochs: 1 } } });
    await end(runIds[2]!, 'SUCCEEDED', 0.3);
    const sweep = await get(id);
    expect(sweep).toMatchObject({ status: 'SUCCEEDED', best: { runId: runIds[2], value: 0.3 }, counts: { SUCCEEDED: 2, FAILED: 1 } });
    expect(sweep.runs[2]!.final).toEqual({ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 0.3, valAccuracy: 0.5 });
  });

  it('lets a member create and cancel its own sweep, not another key, and not a viewer create one', async () => {
    const { client: alice } = await api.clientAs('member');
    const { client: bob } = await api.clientAs('member');
    const { client: viewer } = await api.clientAs('viewer');
    await expect(create({ base: base(), grid: { batchSize: [4] } }, viewer)).rejects.toMatchObject({ status: 403 });
    const { id, runIds } = await create({ base: base(), grid: { batchSize: [2, 4, 8] }, maxParallel: 1 }, alice);
    await expect(bob.request('POST', `/sweeps/${id}/cancel`)).rejects.toMatchObject({ status: 403 });

    const cancelled = await alice.request<SweepView>('POST', `/sweeps/${id}/cancel`);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledAt: expect.any(String), counts: { CANCELLED: 3 } });
    expect(await Promise.all(runIds.map((r) => api.jobs.queue(QueueName.Train).getJob(r)))).toEqual([undefined, undefined, undefined]);
    const held = await api.client.request<RunView>('GET', `/runs/${runIds[2]}`);
    expect(held.history.at(-1)).toMatchObject({ from: 'QUEUED', to: 'CANCELLED', message: `cancelled with sweep ${id}` });
    await expect(alice.request('POST', `/sweeps/${id}/cancel`)).rejects.toMatchObject({ status: 409 });
  });

  it('answers 400 for a malformed sweep id and 404 for an unknown one', async () => {
    await expect(get('42')).rejects.toMatchObject({ status: 400 });
    await expect(get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });
});
