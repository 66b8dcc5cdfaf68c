import { ApiError } from '#libs/client';
import { startTestApi } from '../testing/test-app.js';

// A dataset deleted while runs are being created on it: each request gets a clean answer, and no run
// is left queued on a dataset that is gone.
describe('deleting a dataset while runs are created on it', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const status = (request: Promise<unknown>) => request.then(() => 'ok', (e: unknown) => (e instanceof ApiError ? e.status : `thrown: ${String(e)}`));

  it.each([0, 1, 2, 3, 4])('answers 202, 404 or 409, never 500, and never leaves a run without its dataset (round %i)', async (round) => {
    const dataset = await api.prisma.dataset.create({ data: { width: 4, height: 4, classes: ['a', 'b'], name: `race-${round}`, status: 'READY', numSamples: 10 } });
    const body = { datasetId: dataset.id, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 1 };
    const creates = Array.from({ length: 6 }, () => status(api.client.createRun(body)));
    // The delete lands somewhere among the creations: round 0 before them all, later rounds in their midst.
    await new Promise((resolve) => setTimeout(resolve, round * 3));
    const deleted = status(api.client.request('DELETE', `/datasets/${dataset.id}`));
    const answers = [...(await Promise.all(creates)), await deleted];
    for (const answer of answers) expect(['ok', 404, 409]).toContain(answer);

    const runs = await api.prisma.run.findMany({ where: { OR: [{ datasetId: dataset.id }, { datasetId: null }] } });
    const gone = (await api.prisma.dataset.count({ where: { id: dataset.id } })) === 0;
    if (gone) {
      expect(answers.at(-1)).toBe('ok');
      expect(runs).toEqual([]); // no run was created that the delete did not see
    } else {
      expect(answers.at(-1)).toBe(409);
      expect(runs.length).toBeGreaterThan(0);
    }
    await api.prisma.run.deleteMany({ where: { datasetId: dataset.id } });
    await api.prisma.dataset.deleteMany({ where: { id: dataset.id } });
  });
});
