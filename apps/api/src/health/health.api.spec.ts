import { startTcpProxy, TEST_DATABASE_URL, TEST_REDIS_URL } from '#libs/testing';
import { startTestApi } from '../testing/test-app.js';

// Postgres and Redis are reached through proxies the test cuts, so the shared services stay up for everyone else.
describe('health', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let postgres: Awaited<ReturnType<typeof startTcpProxy>>;
  let redis: Awaited<ReturnType<typeof startTcpProxy>>;

  beforeAll(async () => {
    const pg = new URL(TEST_DATABASE_URL);
    const rd = new URL(TEST_REDIS_URL);
    postgres = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    redis = await startTcpProxy({ host: rd.hostname, port: Number(rd.port || 6379) });
    const viaProxy = (url: string, port: number) => Object.assign(new URL(url), { port: String(port) }).toString();
    api = await startTestApi({ REDIS_URL: viaProxy(TEST_REDIS_URL, redis.port) }, (url) => viaProxy(url, postgres.port));
  });
  afterAll(async () => {
    await postgres.restore();
    await redis.restore();
    await api.close();
    await postgres.close();
    await redis.close();
  });

  const health = async (path: string) => {
    const response = await fetch(`${api.url}/health/${path}`);
    return { status: response.status, body: (await response.json()) as { status?: string; message: string } };
  };

  it('answers live and ready without a key while Postgres and Redis answer', async () => {
    expect(await health('live')).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
    const ready = await health('ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('answers 503 naming Redis when Redis is unreachable, quickly, and ready again once it is back', async () => {
    await redis.cut();
    const started = Date.now();
    const down = await health('ready');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/^not ready: redis is unreachable/) });
    expect(down.body.message).not.toContain('postgres');
    expect((await health('live')).status).toBe(200);
    await redis.restore();
    await waitFor(async () => (await health('ready')).status === 200);
  });

  it('answers 503 naming Postgres when Postgres is unreachable, and ready again once it is back', async () => {
    await postgres.cut();
    const down = await health('ready');
    expect(down.status).toBe(503);
    expect(down.body.message).toMatch(/^not ready: postgres is unreachable/);
    expect(down.body.message).not.toContain('redis');
    const withKey = await fetch(`${api.url}/runs`, { headers: { authorization: `Bearer ${api.adminKey}` } });
    expect(withKey.status).toBe(503);
    expect(((await withKey.json()) as { message: string }).message).toContain('cannot check the API key: Postgres is unreachable');
    await postgres.restore();
    await waitFor(async () => (await health('ready')).status === 200);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
