import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApi } from '../testing/test-app.js';

/** Every route the app's controllers declare, as "get /runs/{id}". */
function controllerRoutes(modules: ModulesContainer): string[] {
  const routes: string[] = [];
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
        const handler = metatype.prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler);
        if (name === 'constructor' || path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!.toLowerCase();
        const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}');
        routes.push(`${method} ${full}`);
      }
    }
  }
  return routes.sort();
}

describe('the OpenAPI document', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let document: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };

  beforeAll(async () => {
    api = await startTestApi();
    document = await api.client.request('GET', '/docs-json');
  });
  afterAll(() => api.close());

  it('is a valid OpenAPI 3 document', async () => {
    const result = await new Validator().validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('covers every controller route, each with a success response and its schema', () => {
    const routes = controllerRoutes(api.app.get(ModulesContainer));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(expect.arrayContaining(routes));
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const responses = document.paths[path]![method]!.responses;
      const success = Object.entries(responses).filter(([status]) => status.startsWith('2'));
      expect({ route, success: success.length }).toEqual({ route, success: expect.any(Number) });
      expect(success.length).toBeGreaterThan(0);
      for (const [status, response] of success) {
        if (status === '204') continue;
        expect({ route, schema: Object.values(response.content ?? {})[0]?.schema !== undefined }).toEqual({ route, schema: true });
      }
    }
  });

  it.each(['/runs', '/datasets', '/models', '/workers'])('answers %s as one page shape', async (path) => {
    const page = await api.client.request<Record<string, unknown>>('GET', `${path}?limit=7&offset=1`);
    expect(page).toEqual({ total: expect.any(Number), limit: 7, offset: 1, items: expect.any(Array) });
    await expect(api.client.request('GET', `${path}?limit=0`)).rejects.toMatchObject({ status: 400 });
  });

  it('serves the Swagger UI at /docs', async () => {
    const response = await fetch(`${api.client.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('is what the client in libs/client was generated from (run `npm run openapi` after changing a route)', async () => {
    // The built API's document, as `node` serves it (jest's ESM loader hides @nestjs/swagger from terminus).
    const check = await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../../../dist/apps/api/src/openapi/openapi.cli.js', import.meta.url)), '--check']);
    expect(check.stdout).toContain('matches the API');
    const committed = JSON.parse(await readFile(new URL('../../../../libs/client/src/generated/openapi.json', import.meta.url), 'utf8'));
    expect(Object.keys(committed.paths).sort()).toEqual(Object.keys(document.paths).sort());
  });
});
