import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ApiEnvSchema } from '../apps/api/src/api.config.js';
import { startTestApi } from '../apps/api/src/testing/test-app.js';
import { WorkerEnvSchema } from '../apps/worker/src/worker.config.js';
import { QueueName } from '#libs/contracts';
import { BACKLOG_STATES, METRIC, serveMetrics } from '#libs/metrics';

// No cluster runs on the build machines, so the manifests are checked by reading them and asking the real
// apps whether what they point at exists.
const root = new URL('../', import.meta.url);
const dir = new URL('deploy/kubernetes/', root);

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value: string }[];
  envFrom?: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  resources?: { limits?: Record<string, string | number> };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: any;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const manifests: Manifest[] = files.flatMap((f) => parseAllDocuments(readFileSync(new URL(f, dir), 'utf8')).map((d) => d.toJS() as Manifest));
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;
const podContainers = (m: Manifest): Container[] => m.spec.template.spec.containers;

// Each image is built from one Dockerfile and runs one app, whose config schema must accept its env.
const IMAGES: Record<string, { dockerfile: string; schema: typeof ApiEnvSchema | typeof WorkerEnvSchema }> = {
  'trainyard-api': { dockerfile: 'apps/api/Dockerfile', schema: ApiEnvSchema },
  'trainyard-worker': { dockerfile: 'apps/worker/Dockerfile', schema: WorkerEnvSchema },
  'trainyard-worker-gpu': { dockerfile: 'apps/worker/Dockerfile.gpu', schema: WorkerEnvSchema },
};

/** The environment a container sees: its own env over the ConfigMaps and Secrets it pulls in. */
function envOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = 'configMapRef' in source ? named('ConfigMap', source.configMapRef.name).data : named('Secret', source.secretRef.name).stringData;
    Object.assign(env, ref);
  }
  for (const { name, value } of container.env ?? []) env[name] = value;
  return env;
}

describe('deploy/kubernetes', () => {
  const workloads = [...byKind('Deployment'), ...byKind('Job')];
  const containers = workloads.flatMap(podContainers);

  it('lists every manifest in its kustomization, and runs the API, both kinds of worker and the migration', () => {
    const kustomization = parseAllDocuments(readFileSync(new URL('kustomization.yaml', dir), 'utf8'))[0]!.toJS();
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    expect(byKind('Deployment').map((d) => d.metadata.name).sort()).toEqual(['trainyard-api', 'trainyard-worker', 'trainyard-worker-gpu']);
    expect(named('Job', 'trainyard-migrate').spec.template.spec.containers[0].command).toEqual(['node', 'dist/libs/database/src/migrate.cli.js']);
    expect(existsSync(new URL('libs/database/src/migrate.cli.ts', root))).toBe(true);
  });

  it('uses only images built from Dockerfiles in the repository', () => {
    const kustomization = parseAllDocuments(readFileSync(new URL('kustomization.yaml', dir), 'utf8'))[0]!.toJS();
    for (const c of containers) {
      expect(Object.keys(IMAGES)).toContain(c.image);
      expect(existsSync(new URL(IMAGES[c.image]!.dockerfile, root))).toBe(true);
    }
    expect(kustomization.images.map((i: { name: string }) => i.name).sort()).toEqual(Object.keys(IMAGES).sort());
  });

  it("sets only variables the apps read, with values their config schemas accept", () => {
    for (const c of containers) {
      const env = envOf(c);
      const { schema } = IMAGES[c.image]!;
      for (const key of Object.keys(env)) expect([c.name, key, Object.keys(schema.shape).includes(key)]).toEqual([c.name, key, true]);
      expect(schema.safeParse(env).error?.issues ?? []).toEqual([]);
    }
  });

  it('probes ports that the container opens and that its METRICS_PORT or PORT says', () => {
    for (const c of byKind('Deployment').flatMap(podContainers)) {
      const env = envOf(c);
      for (const probe of [c.livenessProbe!, c.readinessProbe!]) {
        const port = c.ports!.find((p) => p.name === probe.httpGet.port)!;
        expect(port).toBeDefined();
        expect([env.PORT, env.METRICS_PORT]).toContain(String(port.containerPort));
      }
    }
  });

  it('gives each GPU worker one GPU and lets it onto tainted GPU nodes', () => {
    const gpu = named('Deployment', 'trainyard-worker-gpu');
    expect(podContainers(gpu)[0]!.resources!.limits!['nvidia.com/gpu']).toBe(1);
    expect(gpu.spec.template.spec.tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu' }));
  });

  describe('against the real apps', () => {
    let api: Awaited<ReturnType<typeof startTestApi>>;
    beforeAll(async () => (api = await startTestApi()), 60_000);
    afterAll(() => api?.close());

    it("points the API's probes at routes the built API answers", async () => {
      const base = await api.app.getUrl();
      for (const c of podContainers(named('Deployment', 'trainyard-api'))) {
        for (const probe of [c.livenessProbe!, c.readinessProbe!]) {
          expect([probe.httpGet.path, (await fetch(`${base.replace('[::1]', '127.0.0.1')}${probe.httpGet.path}`)).status]).toEqual([probe.httpGet.path, 200]);
        }
      }
    });

    it("points the workers' probes at paths their metrics listener answers", async () => {
      const { server, port } = await serveMetrics({ contentType: 'text/plain', metrics: async () => '', ready: async () => ({ ok: true, detail: {} }) }, 0, '127.0.0.1');
      try {
        for (const name of ['trainyard-worker', 'trainyard-worker-gpu']) {
          for (const c of podContainers(named('Deployment', name))) {
            for (const probe of [c.livenessProbe!, c.readinessProbe!]) expect((await fetch(`http://127.0.0.1:${port}${probe.httpGet.path}`)).status).toBe(200);
          }
        }
      } finally {
        server.close();
      }
    });

    it("scales workers on a series and states that the API's /metrics really exports", async () => {
      const scrape = await (await fetch(`http://127.0.0.1:${new URL(await api.app.getUrl()).port}/metrics`, { headers: api.client.authHeaders })).text();
      for (const scaler of byKind('ScaledObject')) {
        expect(byKind('Deployment').map((d) => d.metadata.name)).toContain(scaler.spec.scaleTargetRef.name);
        const query: string = scaler.spec.triggers[0].metadata.query;
        const series = /(\w+)\{/.exec(query.replace(/^.*\(\s*/, ''))![1];
        expect(series).toBe(METRIC.queueJobs);
        const queues = /queue=~?"([^"]+)"/.exec(query)![1]!.split('|');
        for (const queue of queues) expect(Object.values(QueueName)).toContain(queue);
        for (const state of /state=~"([^"]+)"/.exec(query)![1]!.split('|')) {
          expect(BACKLOG_STATES).toContain(state);
          for (const queue of queues) expect(scrape).toMatch(new RegExp(`^${series}\\{queue="${queue}", state="${state}"\\} \\d+$`, 'm'));
        }
      }
    });
  });
});
