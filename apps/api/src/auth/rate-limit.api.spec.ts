import { startTestApi } from '../testing/test-app.js';

describe('rate limits', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_S: '60' });
  });
  afterAll(() => api.close());

  const get = (path: string, key?: string) => fetch(`${api.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('answers 429 with Retry-After once a key has made its requests for the window, and counts each key apart', async () => {
    const { key: first } = await api.clientAs('viewer');
    const { key: second } = await api.clientAs('viewer');
    for (let i = 0; i < 5; i++) expect((await get('/datasets', first.key)).status).toBe(200);
    const refused = await get('/datasets', first.key);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('at most 5 requests per 60 s per API key') });
    expect((await get('/datasets', second.key)).status).toBe(200);
  });

  it('limits calls without a valid key per address, before answering them 401', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/runs', i % 2 ? 'ty_guess' : undefined)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 8; i++) expect((await get('/health/live')).status).toBe(200);
  });
});
