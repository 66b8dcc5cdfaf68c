import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ApiEnvSchema } from '../apps/api/src/api.config.js';
import { WorkerEnvSchema } from '../apps/worker/src/worker.config.js';

// No Docker engine runs on the build machines, so the compose file is checked by reading it.
interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  container_name?: string;
  profiles?: string[];
}

const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe('docker-compose.yml', () => {
  it('runs postgres, redis, the migration, the api and a scalable worker', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', 'api', 'worker', 'worker-gpu']));
    expect(services.worker!.ports).toBeUndefined();
    expect(services.worker!.container_name).toBeUndefined();
  });

  it('gives every long-running service a healthcheck and waits on health, not on start', () => {
    for (const name of ['postgres', 'redis', 'api']) expect(services[name]!.healthcheck).toBeDefined();
    for (const name of ['api', 'worker', 'worker-gpu']) {
      expect(services[name]!.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('checks the API through its readiness route, which needs no key', () => {
    expect(JSON.stringify(services.api!.healthcheck)).toContain('/health/ready');
  });

  it('runs Redis with eviction off, as BullMQ requires', () => {
    expect(services.redis!.command!.join(' ')).toContain('--maxmemory-policy noeviction');
  });

  it('builds from Dockerfiles that exist, and a worker image with a healthcheck', () => {
    for (const service of Object.values(services).filter((s) => s.build)) {
      expect(existsSync(new URL(service.build!.dockerfile, root))).toBe(true);
    }
    for (const file of ['apps/worker/Dockerfile', 'apps/worker/Dockerfile.gpu']) {
      expect(readFileSync(new URL(file, root), 'utf8')).toMatch(/^HEALTHCHECK /m);
    }
  });

  it('sets only variables the apps read, with values their config accepts', () => {
    const check = (schema: typeof ApiEnvSchema | typeof WorkerEnvSchema, env: Record<string, string>) => {
      for (const key of Object.keys(env)) expect(Object.keys(schema.shape)).toContain(key);
      expect(schema.safeParse(env).success).toBe(true);
    };
    check(ApiEnvSchema, services.api!.environment!);
    check(WorkerEnvSchema, services.worker!.environment!);
    check(WorkerEnvSchema, services['worker-gpu']!.environment!);
  });

  it('reserves a GPU for the GPU worker, behind a profile', () => {
    expect(services['worker-gpu']!.profiles).toEqual(['gpu']);
    expect(JSON.stringify(services['worker-gpu'])).toContain('"capabilities":["gpu"]');
  });
});
