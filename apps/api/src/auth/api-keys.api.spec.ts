import { ApiError, TrainyardClient } from '#libs/client';
import { zipOf, solidPng } from '#libs/testing';
import { startTestApi } from '../testing/test-app.js';

/** The error a call ends in (it must fail). */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => { throw new Error('expected the request to be refused'); },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('API keys and roles', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let readyId: string;
  const runBody = () => ({ datasetId: readyId, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 1 });

  beforeAll(async () => {
    api = await startTestApi();
    const dataset = await api.prisma.dataset.create({ data: { width: 4, height: 4, classes: ['a', 'b'], name: 'ready', status: 'READY', numSamples: 10 } });
    readyId = dataset.id;
  });
  afterAll(() => api.close());

  it('answers 401 without a key, naming the header, and deletes nothing', async () => {
    const anonymous = new TrainyardClient(api.url);
    const error = await failure(anonymous.request('DELETE', `/datasets/${readyId}`));
    expect(error.status).toBe(401);
    expect(error.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    expect(await api.prisma.dataset.count({ where: { id: readyId } })).toBe(1);
    for (const path of ['/datasets', '/runs', '/models', '/workers', '/api-keys']) {
      expect((await failure(anonymous.request('GET', path))).status).toBe(401);
    }
  });

  it('answers 401 to an unknown key and to a malformed header', async () => {
    const error = await failure(api.client.withKey('ty_not-a-key').request('GET', '/datasets'));
    expect(error.status).toBe(401);
    expect(error.body.message).toContain('unknown or revoked');
    const response = await fetch(`${api.url}/datasets`, { headers: { authorization: `Basic ${api.adminKey}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('creates a key shown once, lists keys without secrets, and keeps only a hash', async () => {
    const created = await api.client.createApiKey('ci bot', 'member');
    expect(created).toEqual({ id: expect.any(String), name: 'ci bot', role: 'member', key: expect.stringMatching(/^ty_[\w-]{40,}$/) });
    const page = await api.client.listApiKeys();
    expect(page).toMatchObject({ total: expect.any(Number), limit: 50, offset: 0 });
    expect(page.items.find((k) => k.id === created.id)).toEqual({ id: created.id, name: 'ci bot', role: 'member', createdAt: expect.any(String), revokedAt: null });
    expect(JSON.stringify(page)).not.toContain(created.key);
    const row = await api.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it('refuses a bad role or name with 400 and key management to non-admins with 403', async () => {
    expect((await failure(api.client.request('POST', '/api-keys', { name: 'x', role: 'root' }))).status).toBe(400);
    expect((await failure(api.client.request('POST', '/api-keys', { name: '', role: 'viewer' }))).body.message).toContain('name');
    const { client: member } = await api.clientAs('member');
    const error = await failure(member.createApiKey('mine', 'admin'));
    expect(error.status).toBe(403);
    expect(error.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('needs the admin role') });
    expect((await failure(member.listApiKeys())).status).toBe(403);
  });

  it('tells any key who it is, and nothing more', async () => {
    const { client: viewer, key } = await api.clientAs('viewer', 'dashboard');
    expect(await viewer.request('GET', '/api-keys/me')).toEqual({ id: key.id, name: 'dashboard', role: 'viewer' });
  });

  it('revokes a key at once: its next request is 401', async () => {
    const { client: viewer, key } = await api.clientAs('viewer');
    await viewer.request('GET', '/datasets');
    await api.client.revokeApiKey(key.id);
    const error = await failure(viewer.request('GET', '/datasets'));
    expect(error.status).toBe(401);
    expect((await api.client.listApiKeys()).items.find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));
  });

  it('will not revoke ADMIN_API_KEY through the API, and 404s an unknown key', async () => {
    const own = await api.prisma.apiKey.findFirstOrThrow({ where: { name: 'admin (ADMIN_API_KEY)' } });
    expect((await failure(api.client.revokeApiKey(own.id))).status).toBe(409);
    expect((await failure(api.client.revokeApiKey('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('lets a viewer read but not create: 403 and nothing stored', async () => {
    const { client: viewer } = await api.clientAs('viewer');
    await viewer.request('GET', `/datasets/${readyId}`);
    const before = await api.prisma.dataset.count();
    const zip = await zipOf({ 'a/1.png': await solidPng(10), 'b/1.png': await solidPng(200) });
    const upload = await failure(viewer.uploadDataset(zip));
    expect(upload.status).toBe(403);
    expect(upload.body.message).toContain('needs the member role');
    expect((await failure(viewer.createRun(runBody()))).status).toBe(403);
    expect(await api.prisma.dataset.count()).toBe(before);
    expect(await api.prisma.run.count()).toBe(0);
  });

  it('lets a member create and cancel its own runs but not another member\'s; an admin cancels any', async () => {
    const { client: alice, key: aliceKey } = await api.clientAs('member', 'alice');
    const { client: bob } = await api.clientAs('member', 'bob');
    const { id } = await alice.createRun(runBody());
    const run = await bob.getRun(id);
    expect(run.createdBy).toEqual({ id: aliceKey.id, name: 'alice' });
    const error = await failure(bob.request('POST', `/runs/${id}/cancel`));
    expect(error.status).toBe(403);
    expect(error.body.message).toContain(`run ${id} was created by another key`);
    expect((await alice.getRun(id)).status).toBe('QUEUED');
    const second = await alice.createRun(runBody());
    expect((await alice.request<{ status: string }>('POST', `/runs/${id}/cancel`)).status).toBe('CANCELLED');
    expect((await api.client.request<{ status: string }>('POST', `/runs/${second.id}/cancel`)).status).toBe('CANCELLED');
  });

  it('lets a member delete only datasets its own key uploaded', async () => {
    const { client: alice, key } = await api.clientAs('member', 'alice-data');
    const { client: bob } = await api.clientAs('member', 'bob-data');
    const zip = await zipOf({ 'a/1.png': await solidPng(10), 'b/1.png': await solidPng(200) });
    const { id } = await alice.uploadDataset(zip, { name: 'alice-set' });
    expect((await bob.getDataset(id)).createdBy).toEqual({ id: key.id, name: 'alice-data' });
    expect((await failure(bob.request('DELETE', `/datasets/${id}`))).status).toBe(403);
    await alice.request('DELETE', `/datasets/${id}`);
    expect(await api.prisma.dataset.count({ where: { id } })).toBe(0);
  });

  it('shows the creating key on models', async () => {
    const { client: carol, key } = await api.clientAs('member', 'carol');
    const { id } = await carol.createRun({ ...runBody(), modelName: 'carols-model' });
    const { model } = await carol.getRun(id);
    const view = await carol.request<{ createdBy: unknown }>('GET', `/models/${model.id}`);
    expect(view.createdBy).toEqual({ id: key.id, name: 'carol' });
    const list = await carol.request<{ items: { id: string; createdBy: unknown }[] }>('GET', '/models');
    expect(list.items.find((m) => m.id === model.id)?.createdBy).toEqual({ id: key.id, name: 'carol' });
  });
});
