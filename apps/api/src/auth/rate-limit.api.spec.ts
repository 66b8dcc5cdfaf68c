import { startTcpProxy, TEST_REDIS_URL } from '#libs/testing';
import { startTestApi } from '../testing/test-app.js';

type TestApi = Awaited<ReturnType<typeof startTestApi>>;
const LIMITS = { RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_S: '60' };
const get = (api: TestApi, path: string, key?: string) => fetch(`${api.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('rate limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(LIMITS);
  });
  afterAll(() => api.close());

  it('answers 429 with Retry-After once a key has made its requests for the window, and counts each key apart', async () => {
    const { key: first } = await api.clientAs('viewer');
    const { key: second } = await api.clientAs('viewer');
    for (let i = 0; i < 5; i++) expect((await get(api, '/datasets', first.key)).status).toBe(200);
    const refused = await get(api, '/datasets', first.key);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('at most 5 requests per 60 s per API key') });
    expect((await get(api, '/datasets', second.key)).status).toBe(200);
  });

  it('limits calls without a valid key per address, before answering them 401', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(api, '/runs', i % 2 ? 'ty_guess' : undefined)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 8; i++) expect((await get(api, '/health/live')).status).toBe(200);
  });

  it('counts a key once across API processes that share Redis and Postgres', async () => {
    const other = await startTestApi({ ...LIMITS, QUEUE_PREFIX: api.config.QUEUE_PREFIX, ADMIN_API_KEY: api.adminKey }, () => api.config.DATABASE_URL);
    try {
      const { key } = await api.clientAs('viewer');
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(i % 2 ? other : api, '/workers', key.key)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await other.app.close();
    }
  });
});

describe('rate limits while Redis does not answer', () => {
  it('keep limiting in the process, without refusing or hanging', async () => {
    const redis = await startTcpProxy({ host: new URL(TEST_REDIS_URL).hostname, port: Number(new URL(TEST_REDIS_URL).port || 6379) });
    const api = await startTestApi({ ...LIMITS, REDIS_URL: Object.assign(new URL(TEST_REDIS_URL), { port: String(redis.port) }).toString() });
    try {
      await redis.cut();
      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(api, '/datasets', api.adminKey)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await redis.restore();
      // The API's fail-fast Redis connection needs a moment to come back before close() can empty its queues.
      for (let tries = 0; ; tries++) {
        try {
          await api.close();
          break;
        } catch (error) {
          if (tries >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await redis.close();
    }
  });
});
