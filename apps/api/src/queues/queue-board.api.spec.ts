import { randomUUID } from 'node:crypto';
import { JobName, QueueName } from '#libs/contracts';
import { startTestApi } from '../testing/test-app.js';

describe('queue board at /queues', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => (api = await startTestApi()), 60_000);
  afterAll(() => api?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });
  const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`admin:${key}`).toString('base64')}` });

  it('asks a browser for credentials and refuses every key but an admin one', async () => {
    const anonymous = await get('/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await get('/queues/api/queues', basic('not-a-key'))).status).toBe(401);
    const { client: member } = await api.clientAs('member');
    const refused = await get('/queues/api/queues', member.authHeaders);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/admins/);
  });

  it('shows the board and the jobs in every queue to an admin, by Bearer key or Basic password', async () => {
    const runId = randomUUID();
    await api.jobs.enqueue(JobName.TrainRun, { runId });
    const page = await get('/queues', basic(api.adminKey));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const board = await get('/queues/api/queues?activeQueue=train&status=waiting', { authorization: `Bearer ${api.adminKey}` });
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as { queues: { name: string; counts: Record<string, number>; jobs: { id: string }[] }[] };
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values(QueueName).sort());
    const train = queues.find((q) => q.name === 'train')!;
    expect(train.counts.waiting).toBe(1);
    expect(train.jobs.map((j) => j.id)).toEqual([runId]);
  });
});
