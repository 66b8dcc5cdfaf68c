import { ApiError } from '#libs/client';
import { JobName, QueueName } from '#libs/contracts';
import { BlobStore } from '#libs/database';
import { renameEntry, solidPng, zipOf } from '#libs/testing';
import { startTestApi } from '../testing/test-app.js';

describe('the datasets API', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const goodZip = async () => zipOf({ 'cat/1.png': await solidPng(10), 'cat/2.png': await solidPng(20), 'dog/1.png': await solidPng(200) });

  async function refused(send: () => Promise<unknown>): Promise<ApiError> {
    const before = { datasets: await api.prisma.dataset.count(), jobs: await api.queuedJobs() };
    const error = await send().then(
      () => { throw new Error('expected the upload to be refused'); },
      (e: unknown) => e as ApiError,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect({ datasets: await api.prisma.dataset.count(), jobs: await api.queuedJobs() }).toEqual(before);
    return error;
  }

  it('stores a valid upload as PENDING, keeps the archive, and queues it under the dataset id', async () => {
    const zip = await goodZip();
    const { id, status } = await api.client.uploadDataset(zip, { name: 'pets', width: 16, height: 8 });
    expect(status).toBe('PENDING');
    expect(await api.client.getDataset(id)).toMatchObject({ name: 'pets', status: 'PENDING', width: 16, height: 8, classes: ['cat', 'dog'], numSamples: 0 });
    const upload = await api.prisma.datasetUpload.findUniqueOrThrow({ where: { datasetId: id } });
    expect((await api.app.get(BlobStore).read(upload.blobId)).equals(zip)).toBe(true);
    const job = await api.jobs.queue(QueueName.Preprocess).getJob(id);
    expect(job?.name).toBe(JobName.PreprocessDataset);
    expect(job?.data).toEqual({ datasetId: id });
  });

  it('gives one dataset for eight identical uploads sent at once, and existing: true to the other seven', async () => {
    const zip = await zipOf({ 'cat/1.png': await solidPng(31), 'dog/1.png': await solidPng(32) });
    const results = (await Promise.all(Array.from({ length: 8 }, () => api.client.uploadDataset(zip, { name: 'twins' })))) as { id: string; existing: boolean }[];
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.existing)).toHaveLength(7);
    expect(await api.prisma.dataset.count({ where: { name: 'twins' } })).toBe(1);
    // The seven that lost left no blob behind: only the one dataset's upload is stored.
    const upload = await api.prisma.datasetUpload.findUniqueOrThrow({ where: { datasetId: results[0]!.id } });
    expect(await api.prisma.blob.count({ where: { upload: null, checkpoint: null, modelVersion: null } })).toBe(0);
    expect(Number((await api.prisma.blob.findUniqueOrThrow({ where: { id: upload.blobId } })).size)).toBe(zip.length);
  });

  it('defaults to 128×128 and names the dataset after the file', async () => {
    const { id } = await api.client.uploadDataset(await goodZip(), { fileName: 'my-pets.zip' });
    expect(await api.client.getDataset(id)).toMatchObject({ name: 'my-pets', width: 128, height: 128 });
  });

  it('refuses a file that is not a zip', async () => {
    const error = await refused(() => api.client.uploadDataset(Buffer.from('just some text')));
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(/^file: .*zip/i);
  });

  it('refuses a zip with no images', async () => {
    const error = await refused(async () => api.client.uploadDataset(await zipOf({ 'notes/readme.txt': 'hello' })));
    expect(error.status).toBe(400);
    expect(error.body.message).toMatch(/no images/i);
  });

  it('refuses an image outside a class folder, naming it', async () => {
    const error = await refused(async () => api.client.uploadDataset(await zipOf({ 'cat/1.png': await solidPng(), 'stray.png': await solidPng() })));
    expect(error.status).toBe(400);
    expect(error.body.message).toContain('stray.png');
  });

  it('refuses a request without a file', async () => {
    const form = new FormData();
    form.append('name', 'nothing');
    const error = await refused(() => api.client.request('POST', '/datasets', form));
    expect(error.status).toBe(400);
    expect(error.body.message).toContain('file');
  });

  it.each([
    ['a zero width', { width: 0 }, 'width'],
    ['a height that is not a number', { height: 'tall' }, 'height'],
    ['an unknown field', { colour: 'blue' }, 'colour'],
    ['a spec whose images would be gigabytes of pixels', { width: 2048, height: 2048, channels: 3 }, 'width × height × channels'],
  ])('refuses %s with 400 naming the field', async (_case, fields, field) => {
    const zip = await goodZip();
    const form = new FormData();
    form.append('file', new Blob([zip]), 'x.zip');
    for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
    const error = await refused(() => api.client.request('POST', '/datasets', form));
    expect(error.status).toBe(400);
    expect(error.body.message).toContain(field);
  });

  it('refuses zip entries that climb out of the upload or start at the root of the file system', async () => {
    const png = await solidPng();
    for (const evil of ['../x.png', '/etc/x.png']) {
      // yazl will not write such names, so a same-length safe name is patched in the bytes.
      const safe = evil.replace(/[./]/g, 'a');
      const zip = renameEntry(await zipOf({ 'cat/1.png': png, [safe]: png }), safe, evil);
      const error = await refused(() => api.client.uploadDataset(zip));
      expect(error.status).toBe(400);
      expect(error.body.message).toContain(evil);
    }
  });

  it('answers 413 for a zip that would inflate past the limit (a zip bomb) or holds too many entries', async () => {
    const bomb = await zipOf({ 'cat/1.png': Buffer.alloc(2 * 1024 * 1024), 'dog/1.png': await solidPng() }, true);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await refused(() => api.client.uploadDataset(bomb))).status).toBe(413);
    const crowd: Record<string, Buffer> = {};
    for (let i = 0; i < 60; i++) crowd[`cat/${i}.png`] = await solidPng(i);
    expect((await refused(async () => api.client.uploadDataset(await zipOf(crowd)))).status).toBe(413);
  });

  it('answers 413 for an upload over the size limit', async () => {
    const error = await refused(() => api.client.uploadDataset(Buffer.alloc(2 * 1024 * 1024)));
    expect(error.status).toBe(413);
  });

  it('answers 404 for an unknown dataset and 400 for a malformed id', async () => {
    await expect(api.client.getDataset('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(api.client.getDataset('x')).rejects.toMatchObject({ status: 400 });
  });

  it('lists datasets newest first, a page at a time', async () => {
    const page = await api.client.request<{ total: number; limit: number; offset: number; items: { id: string }[] }>('GET', '/datasets?limit=1&offset=1');
    const all = await api.client.request<{ total: number; items: { id: string }[] }>('GET', '/datasets?limit=100');
    expect(page).toMatchObject({ total: all.total, limit: 1, offset: 1 });
    expect(page.items.map((d) => d.id)).toEqual([all.items[1]!.id]);
    await expect(api.client.request('GET', '/datasets?limit=0')).rejects.toMatchObject({ status: 400 });
  });

  it('refuses to delete a dataset a queued run uses, and deletes it once the run has ended, keeping the run', async () => {
    const { id } = await api.client.uploadDataset(await goodZip(), { name: 'doomed' });
    await api.prisma.dataset.update({ where: { id }, data: { status: 'READY', numSamples: 3 } });
    await api.prisma.sample.create({ data: { datasetId: id, index: 0, label: 0, file: 'cat/1.png', pixels: new Uint8Array(4) } });
    const run = await api.client.createRun({ datasetId: id, layers: [{ units: 2, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 1, epochs: 1 });

    const refusal = await api.client.request('DELETE', `/datasets/${id}`).catch((e: ApiError) => e);
    expect(refusal).toMatchObject({ status: 409 });
    expect((refusal as ApiError).body.message).toContain(run.id);
    expect(await api.prisma.sample.count({ where: { datasetId: id } })).toBe(1);

    await api.client.request('POST', `/runs/${run.id}/cancel`);
    await api.client.request('DELETE', `/datasets/${id}`);
    await expect(api.client.getDataset(id)).rejects.toMatchObject({ status: 404 });
    expect(await api.prisma.sample.count({ where: { datasetId: id } })).toBe(0);
    expect(await api.prisma.datasetUpload.count({ where: { datasetId: id } })).toBe(0);
    expect(await api.client.getRun(run.id)).toMatchObject({ status: 'CANCELLED', datasetId: null });
    await expect(api.client.request('DELETE', `/datasets/${id}`)).rejects.toMatchObject({ status: 404 });
  });
});
