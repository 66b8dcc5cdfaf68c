import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { poll, type TrainyardClient } from '#libs/client';
import { saveAdminKey } from '#libs/config';
import { drawShapes } from '#libs/samples';
import { freePort, startSystem } from '#libs/testing';

const run = promisify(execFile);
const CLI = 'dist/apps/cli/src/main.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

// The built `trainyard` CLI as a child process, against the built API and a real worker.
describe('the trainyard CLI, one scenario in order: upload, submit --watch, list, show, eval, export, cancel, errors', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let api: TrainyardClient;
  let scratch: string;
  let datasetId: string;
  /** The run `runs submit --watch` followed to the end, and the two sgd runs submitted after it. */
  let watchedRunId: string;
  let sgdRunIds: string[];

  /** Runs the CLI with only the environment given (no key file of the machine's user). */
  async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
    const base = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: join(scratch, 'no-config'), TRAINYARD_URL: system.url, TRAINYARD_API_KEY: system.adminKey };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...base, ...env }, maxBuffer: 16 << 20 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout: string; stderr: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** A failed command: exit code 1 and exactly one line on stderr, which it answers. */
  async function failure(args: string[], env?: Record<string, string>): Promise<string> {
    const outcome = await cli(args, env);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
    return outcome.stderr.trim();
  }

  const spec = async (name: string, body: object) => {
    const file = join(scratch, `${name}.json`);
    await writeFile(file, JSON.stringify(body));
    return file;
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    scratch = await mkdtemp(join(tmpdir(), 'trainyard-cli-'));
    system = await startSystem({ workers: 1, env: { PREPROCESS_CHUNK_SIZE: '20' } });
    api = system.api;
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('uploads a folder of class folders, zipped on the fly, and waits for it with a progress bar', async () => {
    const folder = join(scratch, 'shapes');
    for (const image of await drawShapes({ perClass: 30, size: 32, seed: 'cli' })) {
      await mkdir(dirname(join(folder, image.path)), { recursive: true });
      await writeFile(join(folder, image.path), image.png);
    }
    await writeFile(join(folder, '.DS_Store'), 'finder junk');
    const upload = await cli(['datasets', 'upload', folder, '--width', '12', '--height', '12', '--split', '0.6,0.2,0.2', '--wait']);
    expect(upload).toMatchObject({ code: 0 });
    expect(upload.stdout).toMatch(/^dataset [0-9a-f-]{36} READY, 90 samples \(54 train, 18 validation, 18 test\) of 12×12×1, classes circle, square, triangle$/m);
    expect(upload.stderr).toContain('preprocessing [');
    expect(upload.stderr).toContain('100% | 90/90 images');
    datasetId = upload.stdout.match(/dataset ([0-9a-f-]{36})/)![1]!;
    const dataset = await api.getDataset(datasetId);
    expect(dataset).toMatchObject({ name: 'shapes', status: 'READY', skipped: [], width: 12, height: 12 });

    const listed = JSON.parse((await cli(['datasets', 'list', '--json'])).stdout) as { total: number; items: { id: string }[] };
    expect(listed).toMatchObject({ total: 1, items: [{ id: datasetId }] });
    expect((await cli(['datasets', 'list'])).stdout).toContain(datasetId);
  }, 60_000);

  it('submits a run and follows it epoch by epoch until it succeeds', async () => {
    const file = await spec('adam', { datasetId: 'replaced-by---dataset', layers: [{ units: 16, activation: 'relu' }], optimizer: { name: 'adam', learningRate: 0.01 }, batchSize: 8, epochs: 5, seed: 1 });
    const { code, stdout } = await cli(['runs', 'submit', file, '--dataset', datasetId, '--watch']);
    expect(code).toBe(0);
    watchedRunId = stdout.match(/^run ([0-9a-f-]{36}) QUEUED/)![1]!;
    const run = await api.getRun(watchedRunId);
    expect(run.status).toBe('SUCCEEDED');
    const epochs = stdout.split('\n').filter((line) => line.startsWith('epoch '));
    expect(epochs).toEqual(run.metrics.map((m) => expect.stringMatching(new RegExp(`^epoch ${m.epoch}/5  loss ${m.loss.toFixed(4)}  acc ${(m.accuracy * 100).toFixed(1)}%`))));
    expect(stdout).toContain('status QUEUED → RUNNING (attempt 1, worker ');
    expect(stdout).toContain('status RUNNING → SUCCEEDED');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`run ${watchedRunId} SUCCEEDED, val_acc ${(run.final!.valAccuracy! * 100).toFixed(1)}% after 5 epochs, model shapes v1 (${run.durationSeconds.toFixed(1)} s training)`);
  }, 90_000);

  it('lists runs with the filters and order of GET /runs, as a table and as JSON', async () => {
    const sgd = await spec('sgd', { datasetId, layers: [{ units: 8, activation: 'tanh' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 8, epochs: 3, seed: 2 });
    const submit = async () => (JSON.parse((await cli(['runs', 'submit', sgd, '--json'])).stdout) as { id: string }).id;
    const ids = [await submit(), await submit()];
    for (const id of ids) await api.waitForRun(id, undefined, 60_000);
    sgdRunIds = ids;

    const query = { optimizer: 'sgd', status: 'SUCCEEDED', activation: 'tanh', minValAccuracy: 0, orderBy: '-valAccuracy' } as const;
    const expected = await api.listRuns(query);
    const args = ['runs', 'list', '--optimizer', 'sgd', '--status', 'SUCCEEDED', '--activation', 'tanh', '--min-val-accuracy', '0', '--order-by', '-valAccuracy'];
    const page = JSON.parse((await cli([...args, '--json'])).stdout) as typeof expected;
    expect(page.total).toBe(2);
    expect(page.items.map((r) => r.id)).toEqual(expected.items.map((r) => r.id));
    expect(page.items.map((r) => r.id).sort()).toEqual([...ids].sort());

    const { stdout } = await cli(args);
    expect(stdout).toMatch(/│ id\s+│ status\s+│ model\s+│ network\s+│ optimizer\s+│ epochs\s+│ val acc/);
    expect(stdout).toContain('8 tanh');
    expect(stdout).not.toContain(watchedRunId);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('1–2 of 2');
    // Each filter reaches the API: the adam run alone, then nothing queued before it.
    expect(JSON.parse((await cli(['runs', 'list', '--optimizer', 'adam', '--dataset', datasetId, '--json'])).stdout).items.map((r: { id: string }) => r.id)).toEqual([watchedRunId]);
    expect(JSON.parse((await cli(['runs', 'list', '--to', '2000-01-01', '--json'])).stdout).total).toBe(0);
    expect(await failure(['runs', 'list', '--order-by', 'colour'])).toMatch(/^trainyard: HTTP 400 Bad Request: .*orderBy/);
  }, 90_000);

  it('compares runs side by side: the hyperparameters that differ, and a metric by epoch', async () => {
    const [sgd] = sgdRunIds;
    const expected = await api.compareRuns([watchedRunId, sgd!]);
    expect(JSON.parse((await cli(['runs', 'compare', watchedRunId, sgd!, '--json'])).stdout)).toEqual(expected);

    const { code, stdout } = await cli(['runs', 'compare', watchedRunId, sgd!, '--metric', 'loss']);
    expect(code).toBe(0);
    const [adamName, sgdName] = [watchedRunId.slice(0, 8), sgd!.slice(0, 8)];
    expect(stdout).toMatch(new RegExp(`│ differs\\s+│ ${adamName}\\s+│ ${sgdName}\\s+│`));
    expect(stdout).toMatch(/│ optimizer\.name\s+│ adam\s+│ sgd\s+│/);
    expect(stdout).toMatch(/│ epochs\s+│ 5\s+│ 3\s+│/);
    expect(stdout).toContain('loss by epoch');
    // Epochs aligned: the 3-epoch run has no 4th or 5th.
    const rows = stdout.slice(stdout.indexOf('loss by epoch')).split('\n').filter((line) => /^│ \d+ +│/.test(line)).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
    expect(rows).toEqual(expected.epochs.map((e) => [String(e.epoch), ...[watchedRunId, sgd!].map((id) => (e.metrics[id] ? e.metrics[id]!.loss.toFixed(4) : '-'))]));
    expect(rows.map((r) => r[2])).toEqual([expect.any(String), expect.any(String), expect.any(String), '-', '-']);
    expect(await failure(['runs', 'compare', watchedRunId])).toMatch(/^trainyard: HTTP 400 Bad Request: .*ids/);
  });

  it('shows a run with its epochs and history', async () => {
    const { code, stdout } = await cli(['runs', 'show', watchedRunId]);
    expect(code).toBe(0);
    expect(stdout).toContain('16 relu');
    expect(stdout).toContain('adam 0.01');
    expect(stdout).toMatch(/│ 5 +│ \d\.\d{4} │/);
    expect(stdout).toContain('SUCCEEDED');
  });

  it('prints the evaluation on the test split as a confusion-matrix table and per-class scores', async () => {
    const evaluation = await api.getEvaluation(watchedRunId);
    const { code, stdout } = await cli(['runs', 'eval', watchedRunId]);
    expect(code).toBe(0);
    expect(stdout).toContain(`test accuracy ${(evaluation.accuracy * 100).toFixed(1)}% (18 samples never trained or validated on)`);
    const matrixRows = stdout.split('\n').filter((line) => /^│ (circle|square|triangle) /.test(line));
    // Three rows of counts in the matrix, then three rows of scores.
    expect(matrixRows.slice(0, 3).map((line) => line.split('│').slice(2, -1).map((cell) => Number(cell.trim())))).toEqual(evaluation.confusion);
    expect(matrixRows.slice(3).map((line) => line.split('│')[5]!.trim())).toEqual(evaluation.perClass.map((c) => String(c.support)));
  });

  it('exports a version as model.json + weights.bin that tf.loadLayersModel loads and that classifies as the evaluation says', async () => {
    const run = await api.getRun(watchedRunId);
    await api.request('PUT', `/models/${run.model.id}/aliases/production`, { version: 1 });
    const out = join(scratch, 'export');
    const { code, stdout } = await cli(['models', 'export', run.model.id, '--version', '@production', '-o', out]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${join(out, 'weights.bin')}`);

    // Parsed here, not by tfjs: jest's module realm has its own Array, which tfjs checks with instanceof.
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = await readFile(join(out, json.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights), weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }),
    });
    const evaluation = await api.getEvaluation(watchedRunId);
    const test = (await system.prisma.sample.findMany({ where: { datasetId, split: 'test' }, orderBy: { index: 'asc' }, select: { index: true, label: true } }));
    const inputs = await Promise.all(test.map(async ({ index }) => (await api.request<{ activations: number[][] }>('GET', `/datasets/${datasetId}/samples/${index}?format=json`)).activations.flat()));
    const predicted = tf.tidy(() => (tf.argMax(model.predict(tf.tensor2d(inputs)) as tf.Tensor2D, 1) as tf.Tensor1D).arraySync());
    model.dispose();
    const confusion = evaluation.classes.map(() => evaluation.classes.map(() => 0));
    predicted.forEach((p, i) => confusion[test[i]!.label]![p]!++);
    expect(confusion).toEqual(evaluation.confusion);

    // Without --version: the newest version (the sgd runs above trained the same model).
    const newest = Math.max(...(await api.getModel(run.model.id)).versions.map((v) => v.version));
    expect(newest).toBeGreaterThan(1);
    const exported = await cli(['models', 'export', run.model.id, '-o', join(scratch, 'newest')]);
    expect(exported.stdout).toMatch(new RegExp(`model ${run.model.id} version ${newest}$`, 'm'));
    expect(JSON.parse(await readFile(join(scratch, 'newest', 'model.json'), 'utf8')).userDefinedMetadata.trainyard.version).toBe(newest);
    expect((await cli(['models', 'list'])).stdout).toMatch(new RegExp(`${run.model.id} │ shapes .*│ v${newest} `));
  }, 60_000);

  it('cancels a running run while a watcher follows it, and says why a second cancel is refused', async () => {
    const file = await spec('long', { datasetId, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 1, epochs: 5000 });
    const { id } = JSON.parse((await cli(['runs', 'submit', file, '--json'])).stdout) as { id: string };
    await poll(() => api.getRun(id), (r) => r.status === 'RUNNING', 30_000);
    // A watcher started before the cancel sees the run end and says so.
    const watching = cli(['runs', 'watch', id]);
    await poll(() => api.getRun(id), (r) => r.metrics.length >= 1, 30_000);
    const cancelled = await cli(['runs', 'cancel', id]);
    expect(cancelled).toMatchObject({ code: 0, stdout: `run ${id} CANCELLED\n` });
    const watched = await watching;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/^epoch +1\/5000  loss /m);
    expect(watched.stdout).toContain('status RUNNING → CANCELLED');
    expect(watched.stderr).toBe(`trainyard: run ${id} ended CANCELLED\n`);
    expect(await failure(['runs', 'cancel', id])).toMatch(/^trainyard: HTTP 409 Conflict: .*CANCELLED/);
  }, 60_000);

  it('lists the live workers', async () => {
    const [worker] = (await api.listWorkers()).items;
    const { stdout } = await cli(['workers']);
    expect(stdout).toContain(worker!.id);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('1 live worker');
  });

  it('exits 1 with one line naming the problem', async () => {
    expect(await failure(['workers'], { TRAINYARD_API_KEY: 'not-a-key-at-all' })).toMatch(/^trainyard: HTTP 401 Unauthorized: .*key/i);
    const port = await freePort();
    expect(await failure(['runs', 'list'], { TRAINYARD_URL: `http://127.0.0.1:${port}` })).toBe(`trainyard: cannot reach the Trainyard API at http://127.0.0.1:${port}: connection refused (is it running? TRAINYARD_URL sets where)`);
    expect(await failure(['runs', 'show', '00000000-0000-4000-8000-000000000000'])).toMatch(/^trainyard: HTTP 404 Not Found: .*00000000-0000-4000-8000-000000000000/);
    expect(await failure(['runs', 'eval', 'not-a-uuid'])).toMatch(/^trainyard: HTTP 400 Bad Request: /);
    expect(await failure(['runs', 'submit', join(scratch, 'missing.json')])).toBe(`trainyard: ${join(scratch, 'missing.json')}: no such file or directory`);
    expect(await failure(['runs', 'submit', await spec('bad', { datasetId, layers: [], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 8, epochs: 1 })])).toMatch(/^trainyard: HTTP 400 Bad Request: .*layers/);
    expect(await failure(['runs', 'lst'])).toBe("trainyard: unknown command 'lst' (Did you mean list?)");
    expect(await failure(['workers'], { TRAINYARD_API_KEY: '' })).toBe(`trainyard: no API key: set TRAINYARD_API_KEY (none saved in ${join(scratch, 'no-config', 'trainyard', 'admin-key')} either)`);
  }, 30_000);

  it('falls back to the admin key saved on this machine, and runs as `npx trainyard` through package.json bin', async () => {
    const config = join(scratch, 'config');
    await saveAdminKey(system.adminKey, join(config, 'trainyard', 'admin-key'));
    const [worker] = (await api.listWorkers()).items;
    expect((await cli(['workers'], { TRAINYARD_API_KEY: '', XDG_CONFIG_HOME: config })).stdout).toContain(worker!.id);
    const { stdout } = await run('npx', ['--offline', 'trainyard', 'workers', '--json'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TRAINYARD_URL: system.url, TRAINYARD_API_KEY: system.adminKey } });
    expect(JSON.parse(stdout)).toMatchObject({ total: 1, items: [{ id: worker!.id }] });
  }, 30_000);
});
