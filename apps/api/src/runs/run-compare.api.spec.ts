import { RunComparisonSchema } from '#libs/contracts';
import { startTestApi } from '../testing/test-app.js';

describe('GET /runs/compare', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let datasetId: string;

  async function storeRun(overrides: { layers?: object[]; optimizer?: object; batchSize?: number; earlyStopping?: object; epochs: number[] }) {
    const model = await api.prisma.model.upsert({ where: { name: 'compare' }, create: { name: 'compare' }, update: {} });
    const run = await api.prisma.run.create({
      data: {
        datasetId, modelId: model.id, status: 'SUCCEEDED',
        layers: overrides.layers ?? [{ units: 8, activation: 'relu' }],
        optimizer: overrides.optimizer ?? { name: 'sgd', learningRate: 0.1 },
        batchSize: overrides.batchSize ?? 16, epochs: overrides.epochs.length, seed: 7,
        ...(overrides.earlyStopping && { earlyStopping: overrides.earlyStopping }),
      },
    });
    for (const epoch of overrides.epochs) {
      await api.prisma.runMetric.create({ data: { runId: run.id, epoch, loss: 1 / epoch, accuracy: epoch / 10, valLoss: 1.5 / epoch, valAccuracy: null, seconds: 0.5, samplesPerSecond: 100 } });
    }
    return run.id;
  }

  const compare = (ids: string) => api.client.request('GET', `/runs/compare?ids=${ids}`);

  beforeAll(async () => {
    api = await startTestApi();
    datasetId = (await api.prisma.dataset.create({ data: { name: 'd', width: 4, height: 4, classes: ['a', 'b'], status: 'READY', numSamples: 10 } })).id;
  });
  afterAll(() => api.close());

  it('names the fields that differ, with defaults written out so equal training compares equal', async () => {
    const a = await storeRun({ epochs: [1, 2, 3] });
    const b = await storeRun({
      layers: [{ units: 8, activation: 'relu', init: 'he', bias: true }, { units: 4, activation: 'tanh' }],
      optimizer: { name: 'adam', learningRate: 0.01, weightDecay: 0 },
      earlyStopping: { patience: 3 },
      epochs: [1, 2],
    });
    const result = RunComparisonSchema.parse(await compare(`${a},${b}`));
    expect(result.runs.map((r) => r.id)).toEqual([a, b]);
    expect(result.runs[0]!.hyperparameters).toMatchObject({ 'layers.0.units': 8, 'layers.0.init': 'he', 'layers.0.bias': true, 'optimizer.weightDecay': 0, 'earlyStopping.patience': null });
    expect(result.differences).toEqual([
      { field: 'layers.1.units', values: { [a]: null, [b]: 4 } },
      { field: 'layers.1.activation', values: { [a]: null, [b]: 'tanh' } },
      { field: 'layers.1.bias', values: { [a]: null, [b]: true } },
      { field: 'layers.1.init', values: { [a]: null, [b]: 'glorot' } },
      { field: 'optimizer.name', values: { [a]: 'sgd', [b]: 'adam' } },
      { field: 'optimizer.learningRate', values: { [a]: 0.1, [b]: 0.01 } },
      { field: 'epochs', values: { [a]: 3, [b]: 2 } },
      { field: 'earlyStopping.patience', values: { [a]: null, [b]: 3 } },
      { field: 'earlyStopping.minDelta', values: { [a]: null, [b]: 0 } },
    ]);
  });

  it('aligns the metric series by epoch, null where a run has no such epoch, in the order the ids were given', async () => {
    const short = await storeRun({ epochs: [1] });
    const long = await storeRun({ epochs: [1, 2, 3] });
    const none = await storeRun({ epochs: [] });
    const result = RunComparisonSchema.parse(await compare(`${long},${none},${short}`));
    expect(result.runs.map((r) => r.id)).toEqual([long, none, short]);
    expect(result.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(result.epochs[1]!.metrics).toEqual({ [long]: expect.objectContaining({ epoch: 2, loss: 0.5, accuracy: 0.2 }), [none]: null, [short]: null });
    expect(result.epochs[0]!.metrics[short]).toEqual({ epoch: 1, loss: 1, accuracy: 0.1, valLoss: 1.5, valAccuracy: null, seconds: 0.5, samplesPerSecond: 100, timing: null });
    // The same rows GET /runs/:id shows.
    const run = await api.client.getRun(long);
    expect(result.epochs.map((e) => e.metrics[long])).toEqual(run.metrics);
    expect(result.differences).toEqual([{ field: 'epochs', values: { [long]: 3, [none]: 0, [short]: 1 } }]);
  });

  it('answers 400 naming ids for fewer than 2, more than 10, repeated or malformed ids', async () => {
    const one = await storeRun({ epochs: [1] });
    const eleven = Array.from({ length: 11 }, () => crypto.randomUUID()).join(',');
    for (const ids of [one, eleven, `${one},${one}`, `${one},not-a-uuid`]) {
      await expect(compare(ids)).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('ids') } });
    }
    await expect(api.client.request('GET', '/runs/compare')).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('ids') } });
  });

  it('answers 404 naming the id that is not a run', async () => {
    const one = await storeRun({ epochs: [1] });
    const missing = crypto.randomUUID();
    await expect(compare(`${one},${missing}`)).rejects.toMatchObject({ status: 404, body: { message: expect.stringContaining(missing) } });
  });

  it('is open to viewers', async () => {
    const [a, b] = [await storeRun({ epochs: [1] }), await storeRun({ epochs: [1] })];
    const { client } = await api.clientAs('viewer');
    expect(RunComparisonSchema.parse(await client.request('GET', `/runs/compare?ids=${a},${b}`)).differences).toEqual([]);
  });
});

