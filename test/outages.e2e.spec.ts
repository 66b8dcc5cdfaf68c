import { ApiError, poll, type RunView } from '#libs/client';
import { startWorker } from '#libs/launcher';
import { shapesZip } from '#libs/samples';
import { type PrivateService, startPrivatePostgres, startPrivateRedis, startSystem } from '#libs/testing';

// Redis and Postgres stopped and started under the real API and workers. They are private instances:
// the shared ones serve every other test on this machine and must never go down.
describe('outages of Redis and Postgres', () => {
  let postgres: PrivateService;
  let redis: PrivateService;
  let system: Awaited<ReturnType<typeof startSystem>>;
  let datasetId: string;

  const runBody = (epochs: number, seed: number) => ({
    datasetId, layers: [{ units: 16, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 2, epochs, seed,
  });
  /** The status and message of a request, and how long it took to answer. */
  async function timed(request: Promise<unknown>) {
    const started = Date.now();
    const outcome = await request.then(() => ({ status: 200, message: '' }), (e: unknown) => (e instanceof ApiError ? { status: e.status, message: e.body.message ?? '' } : { status: -1, message: String(e) }));
    return { ...outcome, ms: Date.now() - started };
  }
  const epochs = (run: RunView) => run.metrics.map((m) => m.epoch);
  const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    system = await startSystem({
      workers: 2,
      databaseUrl: postgres.url,
      env: { REDIS_URL: redis.url, JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '2000' },
    });
    const upload = await system.api.uploadDataset(await shapesZip({ perClass: 16, size: 16, seed: 'outage' }), { width: 8, height: 8 });
    datasetId = (await system.api.waitForDataset(upload.id, 60_000)).id;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await Promise.all([postgres?.remove(), redis?.remove()]);
  });

  it('leaves healthy work alone while the reconciler passes over it', async () => {
    const run = await system.api.waitForRun((await system.api.createRun(runBody(4, 1))).id, undefined, 60_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
  }, 60_000);

  it('answers 503 naming Redis while it is down, keeps reading, and recovers every run once it is back empty', async () => {
    const { api, env } = system;
    const [a, b, queued, doomed] = [await api.createRun(runBody(60, 2)), await api.createRun(runBody(60, 3)), await api.createRun(runBody(20, 4)), await api.createRun(runBody(20, 8))];
    const running = await Promise.all([a, b].map(({ id }) => poll(() => api.getRun(id), (r) => r.metrics.length >= 1, 30_000)));

    await redis.stop();
    const create = await timed(api.createRun(runBody(3, 5)));
    expect(create).toMatchObject({ status: 503, message: expect.stringContaining('Redis') });
    expect(create.ms).toBeLessThan(2_000);
    const upload = await timed(api.uploadDataset(await shapesZip({ perClass: 2, size: 8, seed: 'down' })));
    expect(upload).toMatchObject({ status: 503, message: expect.stringContaining('Redis') });
    expect(upload.ms).toBeLessThan(2_000);
    expect((await timed(api.getRun(a.id))).status).toBe(200);
    expect((await timed(api.listRuns())).status).toBe(200);
    expect((await timed(api.getDataset(datasetId))).status).toBe(200);
    expect(await system.prisma.run.count()).toBe(5); // the refused run left no row behind
    // Cancelling needs only Postgres (the row is the truth): it still works, and promptly.
    const cancel = await timed(api.request('POST', `/runs/${doomed.id}/cancel`));
    expect(cancel).toMatchObject({ status: 200 });
    expect(cancel.ms).toBeLessThan(2_000);

    // One worker dies during the outage; Redis comes back with none of its jobs.
    const victim = system.workers.find((w) => running[0]!.workerId?.includes(`-${w.child.pid}-`))!;
    await victim.kill();
    await redis.start();
    const back = Date.now();
    system.adopt(await startWorker(env, 'worker-3'));

    // The queued run's job and the dead worker's run are queued again within 30 s; the live worker keeps its run.
    await poll(() => api.getRun(queued.id), (r) => r.status !== 'QUEUED', 30_000);
    expect(Date.now() - back).toBeLessThan(30_000);
    const [lost, kept, waited] = await Promise.all([a, b, queued].map(({ id }) => api.waitForRun(id, undefined, 120_000)));
    for (const run of [lost, kept, waited]) expect(run.status).toBe('SUCCEEDED');
    expect(epochs(lost!)).toEqual(oneTo(60));
    expect(epochs(kept!)).toEqual(oneTo(60));
    expect(epochs(waited!)).toEqual(oneTo(20));
    expect(lost!.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(kept!.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect((await api.getRun(doomed.id)).status).toBe('CANCELLED'); // the reconciler did not bring it back
  }, 180_000);

  it('answers 503 naming Postgres while it restarts, recovers by itself, and the run ends with one metric row per epoch', async () => {
    const { api } = system;
    const { id } = await api.createRun(runBody(60, 6));
    await poll(() => api.getRun(id), (r) => r.metrics.length >= 2, 30_000);

    await postgres.stop();
    for (const request of [api.listRuns(), api.getRun(id), api.createRun(runBody(3, 7))]) {
      const answer = await timed(request);
      expect(answer).toMatchObject({ status: 503, message: expect.stringContaining('Postgres') });
      expect(answer.ms).toBeLessThan(2_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await postgres.start();

    await poll(() => timed(api.listRuns()), (answer) => answer.status === 200, 20_000);
    const run = await api.waitForRun(id, undefined, 120_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(epochs(run)).toEqual(oneTo(60));
  }, 180_000);
});
