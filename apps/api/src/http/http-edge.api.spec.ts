import { startTestApi } from '../testing/test-app.js';

describe('security headers and CORS', () => {
  describe('by default', () => {
    let api: Awaited<ReturnType<typeof startTestApi>>;
    beforeAll(async () => {
      api = await startTestApi();
    });
    afterAll(() => api.close());

    it('sends the standard security headers and hides the framework, on answers and on errors', async () => {
      for (const response of [
        await fetch(`${api.url}/datasets`, { headers: { authorization: `Bearer ${api.adminKey}` } }),
        await fetch(`${api.url}/datasets`),
      ]) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('lets no other origin read answers: CORS is off', async () => {
      const response = await fetch(`${api.url}/datasets`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${api.adminKey}` } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${api.url}/datasets`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS', () => {
    let api: Awaited<ReturnType<typeof startTestApi>>;
    beforeAll(async () => {
      api = await startTestApi({ CORS_ORIGINS: 'https://app.example, http://localhost:5173' });
    });
    afterAll(() => api.close());

    it('answers preflights and requests from a listed origin, allowing the Authorization header', async () => {
      const preflight = await fetch(`${api.url}/runs`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const response = await fetch(`${api.url}/runs`, { headers: { origin: 'http://localhost:5173', authorization: `Bearer ${api.adminKey}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    });

    it('still tells an unlisted origin nothing', async () => {
      const response = await fetch(`${api.url}/runs`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${api.adminKey}` } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
