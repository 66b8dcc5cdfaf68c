import { poll, type RunView, type SweepView, TrainyardClient } from '#libs/client';
import { startApi, startWorker } from '#libs/launcher';
import { shapesZip } from '#libs/samples';
import { startSystem } from '#libs/testing';

type System = Awaited<ReturnType<typeof startSystem>>;

/** Every span a run spent RUNNING, from each entry into RUNNING to the entry that left it, in start order. */
function runningSpans(runs: RunView[]) {
  return runs
    .flatMap((run) =>
      run.history.flatMap((entry, i) => {
        if (entry.to !== 'RUNNING') return [];
        const left = run.history[i + 1];
        return [{ runId: run.id, start: Date.parse(entry.at), end: left ? Date.parse(left.at) : Infinity }];
      }),
    )
    .sort((a, b) => a.start - b.start);
}

/** The most spans open at one instant (a span ending as another starts counts once). */
function mostAtOnce(spans: { start: number; end: number }[]): number {
  const edges = spans.flatMap((s) => [{ at: s.start, step: 1 }, { at: s.end, step: -1 }]).sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (open += edge.step));
  return most;
}

// Sweeps through the built API and real workers: maxParallel held across workers, and across their deaths.
describe('sweeps', () => {
  const base = (datasetId: string, epochs: number) => ({
    datasetId, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs, seed: 3,
  });
  const dataset = async (system: System) => {
    const upload = await system.api.uploadDataset(await shapesZip({ perClass: 20, size: 16, seed: 'sweep' }), { width: 8, height: 8 });
    return (await system.api.waitForDataset(upload.id, 60_000)).id;
  };
  const runsOf = (client: TrainyardClient, sweep: SweepView) => Promise.all(sweep.runs.map((r) => client.getRun(r.id)));

  describe('with two workers that could train four runs at once', () => {
    let system: System;
    let datasetId: string;

    beforeAll(async () => {
      system = await startSystem({ workers: 2, env: { TRAIN_CONCURRENCY: '2' } });
      datasetId = await dataset(system);
    }, 90_000);
    afterAll(() => system?.stop());

    it('runs a grid with maxParallel 1 one run at a time, in order, and picks the best by validation accuracy', async () => {
      const { id, runIds } = await system.api.createSweep({
        base: base(datasetId, 4),
        grid: { 'optimizer.learningRate': [0.5, 0.05], 'layers.0.units': [4, 16] },
        maxParallel: 1,
      });
      const sweep = await system.api.waitForSweep(id, 180_000);
      expect(sweep).toMatchObject({ status: 'SUCCEEDED', counts: { total: 4, SUCCEEDED: 4 } });

      const runs = await runsOf(system.api, sweep);
      const spans = runningSpans(runs);
      expect(spans).toHaveLength(4); // no run was interrupted, so one span each
      expect(mostAtOnce(spans)).toBe(1);
      expect(spans.map((s) => s.runId)).toEqual(runIds); // released lowest index first
      expect(runs.slice(1).every((r) => r.history.some((h) => h.message?.startsWith('released: a slot of its sweep came free')))).toBe(true);

      const finals = sweep.runs.map((r) => r.final!.valAccuracy!);
      const top = Math.max(...finals);
      expect(sweep.best).toEqual({ runId: sweep.runs[finals.indexOf(top)]!.id, index: finals.indexOf(top), value: top, params: sweep.runs[finals.indexOf(top)]!.params });
      expect(runs.map((r) => r.metrics.length)).toEqual([4, 4, 4, 4]);
    }, 240_000);

    it('lets maxParallel 2 run two at a time but never three', async () => {
      const { id } = await system.api.createSweep({ base: base(datasetId, 6), grid: { 'layers.0.units': [4, 6, 8, 10, 12] }, maxParallel: 2 });
      const sweep = await system.api.waitForSweep(id, 180_000);
      expect(sweep.status).toBe('SUCCEEDED');
      expect(mostAtOnce(runningSpans(await runsOf(system.api, sweep)))).toBeLessThanOrEqual(2);
    }, 240_000);
  });

  describe('with one worker that trains two runs at once', () => {
    let system: System;
    let datasetId: string;

    beforeAll(async () => {
      // A short job lock: a killed worker's job is found stalled within seconds.
      system = await startSystem({ workers: 1, env: { TRAIN_CONCURRENCY: '2', JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '2000' } });
      datasetId = await dataset(system);
    }, 90_000);
    afterAll(() => system?.stop());

    it("keeps runs past maxParallel out of the queue, so another key's later run takes the free slot meanwhile", async () => {
      const { client: alice } = await system.clientAs('member', 'alice');
      const { client: bob } = await system.clientAs('member', 'bob');
      // The first run is long and is cancelled once the checks are done, so no machine is too fast for them.
      const { id, runIds } = await alice.createSweep({ base: base(datasetId, 1), grid: { epochs: [5_000, 1, 1] }, maxParallel: 1 });
      await poll(() => alice.getRun(runIds[0]!), (r) => r.status === 'RUNNING', 30_000, 50);
      const other = await bob.createRun(base(datasetId, 1));
      expect((await bob.waitForRun(other.id, undefined, 60_000)).status).toBe('SUCCEEDED');
      // Queued as plain runs, the sweep's second run (submitted earlier) would have taken that slot instead.
      expect(await alice.getSweep(id)).toMatchObject({ status: 'RUNNING', counts: { RUNNING: 1, QUEUED: 2 } });
      expect((await alice.getRun(runIds[1]!)).waiting?.reason).toBe('sweep limit: 1 of 1 running');

      await alice.cancelRun(runIds[0]!);
      const sweep = await alice.waitForSweep(id, 60_000);
      expect(sweep).toMatchObject({ status: 'SUCCEEDED', counts: { CANCELLED: 1, SUCCEEDED: 2 } });
      expect(sweep.best?.index).not.toBe(0); // only a succeeded run can be the best
      expect(mostAtOnce(runningSpans(await runsOf(alice, sweep)))).toBe(1);
    }, 180_000);

    it('resumes the killed run, keeps the limit, and ends with every run done', async () => {
      // Enough epochs that the first run is still training when it is looked at, on any machine.
      const { id, runIds } = await system.api.createSweep({ base: base(datasetId, 60), grid: { 'layers.0.units': [8, 12, 16] }, maxParallel: 1 });
      const first = await poll(() => system.api.getRun(runIds[0]!), (r) => r.metrics.length >= 2, 60_000, 50);
      expect(first.status).toBe('RUNNING');

      await system.workers[0]!.kill(); // SIGKILL while it trains the sweep's only running run
      await system.apiProcess.kill();
      const restarted = await startApi(system.env);
      system.adopt(restarted.api);
      const api = new TrainyardClient(restarted.url, { apiKey: system.adminKey });
      // The sweep is all in Postgres: the new API sees it as it was, its held runs still waiting on the limit.
      const during = await api.getSweep(id);
      expect(during).toMatchObject({ status: 'RUNNING', counts: { RUNNING: 1, QUEUED: 2 } });
      expect((await api.getRun(runIds[2]!)).waiting?.reason).toBe('sweep limit: 1 of 1 running');
      system.adopt(await startWorker(system.env, 'worker-2'));

      const sweep = await api.waitForSweep(id, 240_000);
      expect(sweep).toMatchObject({ status: 'SUCCEEDED', counts: { total: 3, SUCCEEDED: 3 } });
      const runs = await runsOf(api, sweep);
      expect(mostAtOnce(runningSpans(runs))).toBe(1);
      expect(runs[0]!.history.map((h) => h.to)).toEqual(['QUEUED', 'RUNNING', 'QUEUED', 'RUNNING', 'SUCCEEDED']);
      expect(runs[0]!.metrics.map((m) => m.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(sweep.best?.runId).toBe(sweep.runs.reduce((a, b) => (b.final!.valAccuracy! > a.final!.valAccuracy! ? b : a)).id);
    }, 300_000);
  });
});
