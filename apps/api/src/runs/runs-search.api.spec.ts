import { RunPageSchema } from '#libs/contracts';
import { startTestApi } from '../testing/test-app.js';

describe('searching runs', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  const ids: Record<string, string> = {};
  let datasetId: string;
  let otherDatasetId: string;

  // Runs stored directly, with final metrics as the worker's ledger writes them.
  async function storeRun(name: string, data: { status?: 'QUEUED' | 'SUCCEEDED' | 'FAILED'; optimizer?: string; activation?: string; valAccuracy?: number | null; valLoss?: number; accuracy?: number; duration?: number; queuedAt?: string; dataset?: string }) {
    const model = await api.prisma.model.upsert({ where: { name: 'search' }, create: { name: 'search' }, update: {} });
    const metrics = data.valAccuracy === undefined ? {} : {
      finalEpoch: 3, finalLoss: 0.5, finalAccuracy: data.accuracy ?? 0.5, finalValLoss: data.valLoss ?? 0.5, finalValAccuracy: data.valAccuracy,
    };
    const run = await api.prisma.run.create({
      data: {
        datasetId: data.dataset ?? datasetId, modelId: model.id, status: data.status ?? 'SUCCEEDED',
        layers: [{ units: 8, activation: 'sigmoid' }, { units: 4, activation: data.activation ?? 'sigmoid' }],
        optimizer: { name: data.optimizer ?? 'sgd', learningRate: 0.1 }, batchSize: 8, epochs: 3, seed: 1,
        durationSeconds: data.duration ?? 0, ...metrics, ...(data.queuedAt && { queuedAt: new Date(data.queuedAt) }),
      },
    });
    ids[name] = run.id;
  }

  async function search(query: string) {
    const page = RunPageSchema.parse(await api.client.request('GET', `/runs?${query}`));
    return { ...page, names: page.items.map((run) => Object.keys(ids).find((name) => ids[name] === run.id)) };
  }

  beforeAll(async () => {
    api = await startTestApi();
    const base = { width: 4, height: 4, classes: ['a', 'b'], status: 'READY' as const, numSamples: 10 };
    datasetId = (await api.prisma.dataset.create({ data: { ...base, name: 'one' } })).id;
    otherDatasetId = (await api.prisma.dataset.create({ data: { ...base, name: 'two' } })).id;
    await storeRun('adam-best', { optimizer: 'adam', activation: 'relu', valAccuracy: 0.95, valLoss: 0.1, accuracy: 0.97, duration: 30, queuedAt: '2026-01-01T00:00:00Z' });
    await storeRun('adam-worse', { optimizer: 'adam', valAccuracy: 0.7, valLoss: 0.9, accuracy: 0.8, duration: 10, queuedAt: '2026-01-02T00:00:00Z' });
    await storeRun('sgd-mid', { optimizer: 'sgd', activation: 'relu', valAccuracy: 0.85, valLoss: 0.4, accuracy: 0.99, duration: 20, queuedAt: '2026-01-03T00:00:00Z', dataset: otherDatasetId });
    await storeRun('failed', { status: 'FAILED', valAccuracy: 0.2, valLoss: 3, accuracy: 0.1, duration: 5, queuedAt: '2026-01-04T00:00:00Z' });
    await storeRun('queued', { status: 'QUEUED', queuedAt: '2026-01-05T00:00:00Z' });
  });
  afterAll(() => api.close());

  it('answers one page shape with the total, newest first by default', async () => {
    const page = await search('limit=2');
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 0, names: ['queued', 'failed'] });
    expect((await search('limit=2&offset=4')).names).toEqual(['adam-best']);
  });

  it('carries each run\'s final metrics and duration, null before the first epoch', async () => {
    const { items } = await search('orderBy=-valAccuracy&limit=1');
    expect(items[0]).toMatchObject({ final: { epoch: 3, loss: 0.5, accuracy: 0.97, valLoss: 0.1, valAccuracy: 0.95 }, durationSeconds: 30 });
    const queued = (await search('status=QUEUED')).items[0]!;
    expect(queued).toMatchObject({ final: null, durationSeconds: 0 });
  });

  it.each([
    ['-valAccuracy', ['adam-best', 'sgd-mid', 'adam-worse', 'failed', 'queued']],
    ['valAccuracy', ['failed', 'adam-worse', 'sgd-mid', 'adam-best', 'queued']],
    ['valLoss', ['adam-best', 'sgd-mid', 'adam-worse', 'failed', 'queued']],
    ['-accuracy', ['sgd-mid', 'adam-best', 'adam-worse', 'failed', 'queued']],
    ['-duration', ['adam-best', 'sgd-mid', 'adam-worse', 'failed', 'queued']],
    ['createdAt', ['adam-best', 'adam-worse', 'sgd-mid', 'failed', 'queued']],
  ])('orders by %s, runs without metrics last', async (orderBy, expected) => {
    expect((await search(`orderBy=${orderBy}`)).names).toEqual(expected);
  });

  it.each([
    ['status=SUCCEEDED', ['sgd-mid', 'adam-worse', 'adam-best']],
    ['optimizer=adam', ['adam-worse', 'adam-best']],
    ['activation=relu', ['sgd-mid', 'adam-best']],
    ['minValAccuracy=0.8', ['sgd-mid', 'adam-best']],
    ['maxValLoss=0.5', ['sgd-mid', 'adam-best']],
    ['from=2026-01-02&to=2026-01-03T12:00:00Z', ['sgd-mid', 'adam-worse']],
    ['optimizer=adam&minValAccuracy=0.9', ['adam-best']],
  ])('filters by %s', async (query, expected) => {
    const page = await search(query);
    expect(page.names).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  it('filters by dataset and model', async () => {
    expect((await search(`datasetId=${otherDatasetId}`)).names).toEqual(['sgd-mid']);
    const modelId = (await api.prisma.model.findUniqueOrThrow({ where: { name: 'search' } })).id;
    expect((await search(`modelId=${modelId}`)).total).toBe(5);
  });

  it('filters by the key that submitted the run', async () => {
    const { client, key } = await api.clientAs('member');
    const { id } = await client.createRun({
      datasetId, layers: [{ units: 4, activation: 'tanh' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 1,
    });
    const page = RunPageSchema.parse(await api.client.request('GET', `/runs?createdBy=${key.id}`));
    expect(page.items.map((run) => run.id)).toEqual([id]);
    expect(page.items[0]!.createdBy).toEqual({ id: key.id, name: key.name });
  });

  it('lists each run field for field as GET /runs/:id shows it (the list is read by SQL of its own, the run by Prisma)', async () => {
    const page = await search('limit=50');
    expect(page.items.some((run) => run.createdBy !== null)).toBe(true);
    for (const item of page.items) {
      const { metrics: _m, history: _h, modelVersion: _v, waiting: _w, storageBytes: _s, ...summary } = await api.client.getRun(item.id);
      expect(item).toEqual(summary);
    }
  });

  it.each([
    ['an unknown filter', 'colour=red', 'colour'],
    ['an unknown order', 'orderBy=-colour', 'orderBy'],
    ['an unknown optimizer', 'optimizer=lbfgs', 'optimizer'],
    ['a date that is not one', 'from=yesterday', 'from'],
    ['an accuracy above 1', 'minValAccuracy=2', 'minValAccuracy'],
  ])('refuses %s with 400 naming it', async (_case, query, named) => {
    const error = await api.client.request('GET', `/runs?${query}`).catch((e: { status: number; body: { message: string } }) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as { body: { message: string } }).body.message).toContain(named);
  });
});
