import { poll, type RunView } from '#libs/client';
import { shapesZip } from '#libs/samples';
import { startSystem } from '#libs/testing';

type Waiting = { position: number; reason: string } | null;
type ScheduledRun = RunView & { waiting: Waiting; startedAt: string | null; finishedAt: string | null; priority: string };

// Priorities, GPU-only runs and per-key quotas, through the built API and a real worker.
describe('scheduling', () => {
  const run = (datasetId: string, epochs: number, extra: Record<string, unknown> = {}) => ({
    datasetId, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs, seed: 1, ...extra,
  });
  const dataset = async (system: Awaited<ReturnType<typeof startSystem>>) => {
    const upload = await system.api.uploadDataset(await shapesZip({ perClass: 20, size: 16, seed: 'sched' }), { width: 8, height: 8 });
    return (await system.api.waitForDataset(upload.id, 60_000)).id;
  };

  describe('with one worker training one run at a time', () => {
    let system: Awaited<ReturnType<typeof startSystem>>;
    let datasetId: string;
    const get = (id: string) => system.api.request<ScheduledRun>('GET', `/runs/${id}`);
    const submit = async (body: object) => (await system.api.request<{ id: string }>('POST', '/runs', body)).id;

    beforeAll(async () => {
      system = await startSystem({ workers: 1, env: { TRAIN_CONCURRENCY: '1' } });
      datasetId = await dataset(system);
    }, 90_000);
    afterAll(() => system?.stop());

    it('starts a high-priority run before earlier normal ones, and says where each waits and why', async () => {
      const blocker = await submit(run(datasetId, 5_000)); // cancelled below, once the waiting checks are done
      await poll(() => get(blocker), (r) => r.status === 'RUNNING', 30_000, 50);
      const a = await submit(run(datasetId, 1));
      const b = await submit(run(datasetId, 1, { priority: 'normal' }));
      const c = await submit(run(datasetId, 1, { priority: 'high' }));
      const low = await submit(run(datasetId, 1, { priority: 'low' }));

      const [wa, wb, wc, wl] = await Promise.all([a, b, c, low].map(async (id) => (await get(id)).waiting));
      expect(wc).toEqual({ position: 1, reason: 'next: all 1 able worker is busy' });
      expect(wa).toEqual({ position: 2, reason: '1 run ahead in the queue' });
      expect(wb).toEqual({ position: 3, reason: '2 runs ahead in the queue' });
      expect(wl).toEqual({ position: 4, reason: '3 runs ahead in the queue' });
      expect((await get(blocker)).waiting).toBeNull();
      await system.api.request('POST', `/runs/${blocker}/cancel`);

      const ended = await Promise.all([blocker, a, b, c, low].map((id) => system.api.waitForRun(id, () => {}, 90_000))) as ScheduledRun[];
      expect(ended.map((r) => r.status)).toEqual(['CANCELLED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      const byStart = [...ended].sort((x, y) => Date.parse(x.startedAt!) - Date.parse(y.startedAt!)).map((r) => r.id);
      expect(byStart).toEqual([blocker, c, a, b, low]);
    }, 120_000);

    it('keeps a run that needs a GPU away from a CPU worker, and says no GPU worker is online', async () => {
      const id = await submit(run(datasetId, 1, { requires: { gpu: true } }));
      expect((await get(id)).requires).toEqual({ gpu: true });
      // The CPU worker is idle and polls its queues; give it ample time to (wrongly) take the run.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const waiting = await get(id);
      expect(waiting).toMatchObject({ status: 'QUEUED', attempt: 0, waiting: { position: 1, reason: 'no worker with a GPU is online' } });
      await system.api.request('POST', `/runs/${id}/cancel`);
    });

    it('refuses an unknown priority or requirement, naming the field', async () => {
      await expect(submit(run(datasetId, 1, { priority: 'urgent' }))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/priority/) });
      await expect(submit(run(datasetId, 1, { requires: { tpu: true } }))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/requires/) });
    });
  });

  describe('with a quota of one running run per key', () => {
    let system: Awaited<ReturnType<typeof startSystem>>;
    let datasetId: string;

    beforeAll(async () => {
      system = await startSystem({ workers: 1, env: { TRAIN_CONCURRENCY: '2', MAX_RUNNING_RUNS_PER_KEY: '1' } });
      datasetId = await dataset(system);
    }, 90_000);
    afterAll(() => system?.stop());

    it("holds a key's second run while its first runs, lets another key's run go meanwhile, then runs it", async () => {
      const { client: alice } = await system.clientAs('member', 'alice');
      const { client: bob } = await system.clientAs('member', 'bob');
      // Alice's first run is long and is cancelled once the checks are done, so no machine is too fast for them.
      const first = (await alice.request<{ id: string }>('POST', '/runs', run(datasetId, 5_000))).id;
      await poll(() => alice.request<ScheduledRun>('GET', `/runs/${first}`), (r) => r.status === 'RUNNING', 30_000, 50);
      const second = (await alice.request<{ id: string }>('POST', '/runs', run(datasetId, 1))).id;
      const held = await poll(() => alice.request<ScheduledRun>('GET', `/runs/${second}`), (r) => r.waiting?.reason.startsWith('key quota') ?? false, 30_000, 50);
      expect(held).toMatchObject({ status: 'QUEUED', waiting: { reason: 'key quota: 1 of 1 running' } });
      const other = (await bob.request<{ id: string }>('POST', '/runs', run(datasetId, 1))).id;
      const bobs = await bob.waitForRun(other, () => {}, 60_000);
      expect(bobs.status).toBe('SUCCEEDED');
      expect((await alice.getRun(first)).status).toBe('RUNNING'); // bob's ran beside alice's first, not after it
      expect((await alice.request<ScheduledRun>('GET', `/runs/${second}`)).status).toBe('QUEUED');

      await alice.request('POST', `/runs/${first}/cancel`);
      const [a1, a2] = (await Promise.all([first, second].map((id) => alice.waitForRun(id, () => {}, 90_000)))) as ScheduledRun[];
      expect([a1!.status, a2!.status]).toEqual(['CANCELLED', 'SUCCEEDED']);
      expect(Date.parse(a2!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a1!.finishedAt!));
      expect(a2!.history.map((h) => h.message)).toContain('held: key quota, 1 of 1 running');
      expect(a2!.metrics).toHaveLength(1);
    }, 150_000);
  });
});
