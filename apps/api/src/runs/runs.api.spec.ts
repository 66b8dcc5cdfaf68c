import { ApiError } from '#libs/client';
import { JobName, QueueName } from '#libs/contracts';
import { startTestApi } from '../testing/test-app.js';

describe('the runs API', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let readyId: string;
  let pendingId: string;

  const valid = () => ({
    datasetId: readyId,
    layers: [{ units: 16, activation: 'sigmoid' }],
    optimizer: { name: 'sgd', learningRate: 0.1 },
    batchSize: 8,
    epochs: 2,
  });

  beforeAll(async () => {
    api = await startTestApi();
    const base = { width: 4, height: 4, classes: ['a', 'b'] };
    readyId = (await api.prisma.dataset.create({ data: { ...base, name: 'ready', status: 'READY', numSamples: 10 } })).id;
    pendingId = (await api.prisma.dataset.create({ data: { ...base, name: 'pending' } })).id;
  });
  afterAll(() => api.close());

  async function refused(body: unknown): Promise<ApiError> {
    const before = { runs: await api.prisma.run.count(), models: await api.prisma.model.count(), jobs: await api.queuedJobs() };
    const error = await api.client.request('POST', '/runs', body).then(
      () => { throw new Error('expected the request to be refused'); },
      (e: unknown) => e as ApiError,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect({ runs: await api.prisma.run.count(), models: await api.prisma.model.count(), jobs: await api.queuedJobs() }).toEqual(before);
    return error;
  }

  it('queues a valid run under its own id and answers 202 QUEUED', async () => {
    const { id, status } = await api.client.createRun(valid());
    expect(status).toBe('QUEUED');
    const job = await api.jobs.queue(QueueName.Train).getJob(id);
    expect(job?.name).toBe(JobName.TrainRun);
    expect(job?.data).toEqual({ runId: id });
    const run = await api.client.getRun(id);
    expect(run).toMatchObject({ status: 'QUEUED', epochs: 2, batchSize: 8, validationSplit: null, loss: 'crossEntropy', bias: true, checkpointEvery: 1, attempt: 0, metrics: [], model: { name: 'ready' } });
    expect(typeof run.seed).toBe('number');
  });

  it.each([
    ['an unknown activation', { layers: [{ units: 4, activation: 'swish' }] }, 'layers.0.activation'],
    ['zero units', { layers: [{ units: 0, activation: 'relu' }] }, 'layers.0.units'],
    ['no hidden layers', { layers: [] }, 'layers'],
    ['a zero learning rate', { optimizer: { name: 'sgd', learningRate: 0 } }, 'optimizer.learningRate'],
    ['an unknown optimizer', { optimizer: { name: 'lbfgs', learningRate: 0.1 } }, 'optimizer.name'],
    ['a zero batch size', { batchSize: 0 }, 'batchSize'],
    ['zero epochs', { epochs: 0 }, 'epochs'],
    ['an absurd number of epochs', { epochs: 1_000_000 }, 'epochs'],
    ['a fractional batch size', { batchSize: 2.5 }, 'batchSize'],
    ['a malformed dataset id', { datasetId: 'nope' }, 'datasetId'],
    ['an unknown field', { dropout: 0.5 }, 'dropout'],
    ['an unknown loss', { loss: 'hinge' }, 'loss'],
    ['early stopping without a validation split', { earlyStopping: { patience: 2 }, validationSplit: 0 }, 'earlyStopping'],
    ['a negative weight decay', { optimizer: { name: 'adam', learningRate: 0.01, weightDecay: -1 } }, 'optimizer.weightDecay'],
  ])('refuses %s with 400 naming the field, writing and queueing nothing', async (_case, patch, field) => {
    const error = await refused({ ...valid(), ...patch });
    expect(error.status).toBe(400);
    expect(error.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(error.body.message).toContain(field);
  });

  it('refuses a run of two 65,536-unit layers with 400 naming layers and batchSize, its estimate and the limit', async () => {
    const big = await api.prisma.dataset.create({ data: { name: 'photos', status: 'READY', numSamples: 1000, width: 128, height: 128, classes: ['a', 'b'] } });
    const error = await refused({ ...valid(), datasetId: big.id, layers: [{ units: 65_536, activation: 'relu' }, { units: 65_536, activation: 'relu' }], batchSize: 256 });
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(/^layers, batchSize: .*estimated \d+ MiB.*the limit is 12288 MiB \(MAX_RUN_MEMORY_MB\)/);
    expect(error.body.details).toMatchObject({ limitMb: 12_288 });
    expect((error.body.details as { estimateMb: number }).estimateMb).toBeGreaterThan(24 * 1024);
  });

  it('answers 404 for a dataset that does not exist', async () => {
    const error = await refused({ ...valid(), datasetId: '00000000-0000-4000-8000-000000000000' });
    expect(error.status).toBe(404);
    expect(error.body.message).toContain('dataset 00000000-0000-4000-8000-000000000000 not found');
  });

  it('refuses a dataset that is not READY yet', async () => {
    const error = await refused({ ...valid(), datasetId: pendingId });
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(/datasetId: .*PENDING, not READY/);
  });

  it('lists runs newest first and filters by status', async () => {
    const first = await api.client.createRun(valid());
    const second = await api.client.createRun(valid());
    const ids = (await api.client.listRuns()).items.map((r) => r.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(await api.client.listRuns({ status: 'SUCCEEDED' })).toEqual({ total: 0, limit: 50, offset: 0, items: [] });
    await expect(api.client.listRuns({ status: 'DONE' })).rejects.toMatchObject({ status: 400 });
  });

  it('answers 400 for a malformed run id and 404 for an unknown one', async () => {
    await expect(api.client.getRun('42')).rejects.toMatchObject({ status: 400 });
    await expect(api.client.getRun('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });
});
