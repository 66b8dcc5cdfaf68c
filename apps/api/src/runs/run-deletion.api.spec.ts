import { ApiError } from '#libs/client';
import { BlobStore } from '#libs/database';
import { startTestApi } from '../testing/test-app.js';

describe('deleting runs and model versions', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let blobs: BlobStore;
  let datasetId: string;

  beforeAll(async () => {
    api = await startTestApi();
    blobs = api.app.get(BlobStore);
    datasetId = (await api.prisma.dataset.create({ data: { name: 'photos', status: 'READY', numSamples: 10, width: 4, height: 4, classes: ['a', 'b'] } })).id;
  });
  afterAll(() => api.close());

  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as ApiError);

  /** A run submitted through the API, then moved by hand to `status` with two checkpoints and (when SUCCEEDED) a model version. */
  async function runIn(status: 'SUCCEEDED' | 'FAILED' | 'RUNNING', client = api.client) {
    const { id } = await client.createRun({ datasetId, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'adam', learningRate: 0.01 }, batchSize: 2, epochs: 2 });
    const run = await api.prisma.run.update({ where: { id }, data: { status } });
    for (const epoch of [1, 2]) {
      const blob = await blobs.write(new Uint8Array(1000 * epoch));
      await api.prisma.checkpoint.create({ data: { runId: id, epoch, blobId: blob.id } });
    }
    if (status === 'SUCCEEDED') {
      const blob = await blobs.write(new Uint8Array(400));
      await api.prisma.modelVersion.create({ data: { modelId: run.modelId, version: 1 + (await api.prisma.modelVersion.count({ where: { modelId: run.modelId } })), runId: id, architecture: {}, blobId: blob.id } });
    }
    return run;
  }

  it('reports the bytes a run holds, deletes an ended run with its checkpoints, and keeps its model version', async () => {
    const run = await runIn('SUCCEEDED');
    expect(await api.client.getRun(run.id)).toMatchObject({ storageBytes: 3000 });
    const model = await api.client.request<{ storageBytes: number; versions: { sizeBytes: number }[] }>('GET', `/models/${run.modelId}`);
    expect(model.storageBytes).toBe(400);
    const blobIds = (await api.prisma.checkpoint.findMany({ where: { runId: run.id } })).map((c) => c.blobId);

    await api.client.request('DELETE', `/runs/${run.id}`);
    await expect(api.client.getRun(run.id)).rejects.toMatchObject({ status: 404 });
    expect(await api.prisma.blob.count({ where: { id: { in: blobIds } } })).toBe(0);
    expect(await api.prisma.blobChunk.count({ where: { blobId: { in: blobIds } } })).toBe(0);
    expect(await api.prisma.runMetric.count({ where: { runId: run.id } })).toBe(0);
    expect(await api.prisma.modelVersion.findFirst({ where: { modelId: run.modelId } })).toMatchObject({ runId: null });
    expect((await failure(api.client.request('DELETE', `/runs/${run.id}`))).status).toBe(404);
  });

  it('refuses with 409 to delete a run that has not ended, and leaves it whole', async () => {
    const run = await runIn('RUNNING');
    const error = await failure(api.client.request('DELETE', `/runs/${run.id}`));
    expect(error.status).toBe(409);
    expect(error.body.message).toContain('RUNNING');
    expect(await api.prisma.checkpoint.count({ where: { runId: run.id } })).toBe(2);
  });

  it('drops the checkpoints of a run when it is cancelled', async () => {
    const run = await runIn('RUNNING');
    await api.client.request('POST', `/runs/${run.id}/cancel`);
    expect(await api.prisma.checkpoint.count({ where: { runId: run.id } })).toBe(0);
    expect(await api.client.getRun(run.id)).toMatchObject({ status: 'CANCELLED', storageBytes: 0 });
  });

  it('lets a member delete only its own runs and model versions', async () => {
    const { client: alice } = await api.clientAs('member', 'alice');
    const { client: bob } = await api.clientAs('member', 'bob');
    const run = await runIn('FAILED', alice);
    expect((await failure(bob.request('DELETE', `/runs/${run.id}`))).status).toBe(403);
    await alice.request('DELETE', `/runs/${run.id}`);
    await expect(api.client.getRun(run.id)).rejects.toMatchObject({ status: 404 });
  });

  it('deletes a model version and its weights, by number, and answers 404 after', async () => {
    const run = await runIn('SUCCEEDED');
    const version = await api.prisma.modelVersion.findUniqueOrThrow({ where: { runId: run.id } });
    await api.client.request('DELETE', `/models/${run.modelId}/versions/${version.version}`);
    expect(await api.prisma.blob.count({ where: { id: version.blobId } })).toBe(0);
    expect((await failure(api.client.request('DELETE', `/models/${run.modelId}/versions/${version.version}`))).status).toBe(404);
    expect(await api.client.getRun(run.id)).toMatchObject({ status: 'SUCCEEDED', modelVersion: null });
  });
});
