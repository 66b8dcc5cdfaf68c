import type { TrainyardClient } from '#libs/client';
import type { AppProcess } from '#libs/launcher';
import { shapesZip } from '#libs/samples';
import { openStream, startSystem, type StreamEvent } from '#libs/testing';

// Live events through the built API from real workers, read with a real SSE client (the `eventsource` package).
describe('live run events', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let api: TrainyardClient;
  let datasetId: string;

  const runBody = (epochs: number, batchSize = 16) => ({
    datasetId,
    layers: [{ units: 16, activation: 'relu' }],
    optimizer: { name: 'sgd', learningRate: 0.1 },
    batchSize,
    epochs,
    seed: 3,
    validationSplit: 0.25,
  });
  const runStream = (id: string, lastEventId?: string) => openStream(`${system.url}/runs/${id}/events`, system.adminKey, { lastEventId });
  const epochs = (events: StreamEvent[]) => events.filter((e) => e.type === 'epoch');
  const statuses = (events: StreamEvent[]) => events.filter((e) => e.type === 'status').map((e) => `${e.data.from}->${e.data.to}`);
  const isEnd = (e: StreamEvent) => e.type === 'status' && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(e.data.to);

  beforeAll(async () => {
    system = await startSystem({ workers: 2, env: { JOB_LOCK_MS: '3000' } });
    api = system.api;
    const zip = await shapesZip({ perClass: 20, size: 24, seed: 'events' });
    datasetId = (await api.waitForDataset((await api.uploadDataset(zip, { name: 'events', width: 10, height: 10 })).id, 60_000)).id;
  }, 90_000);

  afterAll(() => system?.stop());

  it('streams a run\'s epochs while it trains, then its terminal status, and ends', async () => {
    // Long enough that it is still training when its first epochs arrive; cancelled once they have.
    const { id } = await api.createRun(runBody(5_000, 4));
    const stream = runStream(id);
    await stream.until((events) => epochs(events).length >= 3);
    expect((await api.getRun(id)).status).toBe('RUNNING');
    const seen = epochs(stream.events).length;
    await stream.until((events) => epochs(events).length > seen); // more keep coming
    await api.cancelRun(id);
    await stream.ended;
    expect(stream.failure).toBeUndefined();
    const run = await api.getRun(id);
    expect(stream.events.at(-1)).toMatchObject({ type: 'status', data: { to: 'CANCELLED' } });
    expect(epochs(stream.events).map((e) => e.data)).toEqual(run.metrics);
    expect(epochs(stream.events).map((e) => e.id)).toEqual(run.metrics.map((m) => String(m.epoch)));
  }, 90_000);

  describe('a run that ended', () => {
    let id: string;
    let live: StreamEvent[];

    beforeAll(async () => {
      id = (await api.createRun(runBody(6))).id;
      const stream = runStream(id);
      await stream.ended;
      live = stream.events;
    }, 60_000);

    it('was streamed whole: statuses, every epoch once with its number as id, the terminal status last', async () => {
      const run = await api.getRun(id);
      expect(run.status).toBe('SUCCEEDED');
      expect(statuses(live)).toEqual(['null->QUEUED', 'QUEUED->RUNNING', 'RUNNING->SUCCEEDED']);
      expect(live.filter((e) => e.type === 'status').map((e) => e.data)).toEqual(run.history);
      expect(epochs(live).map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(epochs(live).map((e) => e.data)).toEqual(run.metrics);
      expect(isEnd(live.at(-1)!)).toBe(true);
    });

    it('is replayed whole to a client that connects after the end, which the stream then ends', async () => {
      const late = runStream(id);
      await late.ended;
      expect(late.failure).toBeUndefined();
      expect(late.events).toEqual(live);
    });

    it('replays only the epochs after Last-Event-ID', async () => {
      const resumed = runStream(id, '4');
      await resumed.ended;
      expect(resumed.events.map((e) => `${e.type}:${e.id}`)).toEqual(['epoch:5', 'epoch:6', 'status:6']);
      expect(resumed.events.at(-1)!.data).toEqual(live.at(-1)!.data);
    });
  });

  it('GET /events tells a dashboard of every run\'s status changes', async () => {
    const { key } = await system.clientAs('viewer');
    const all = openStream(`${system.url}/events`, key.key, { types: ['status'] });
    await all.opened; // it sends what happens from then on
    const { id } = await api.createRun(runBody(2));
    const mine = (events: StreamEvent[]) => events.filter((e) => e.data.runId === id);
    await all.until((events) => mine(events).some(isEnd));
    all.close();
    expect(mine(all.events).map((e) => e.data.to)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const ids = all.events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
  }, 60_000);

  it('keeps streaming when the run moves to another worker after its first is killed: every epoch exactly once', async () => {
    const { id } = await api.createRun(runBody(200, 4));
    const stream = runStream(id);
    await stream.until((events) => epochs(events).length >= 3);
    const holder = (await api.getRun(id)).workerId;
    const victim = system.workers.find((w: AppProcess) => holder?.includes(`-${w.child.pid}-`))!;
    await victim.kill(); // SIGKILL: the run is taken back after JOB_LOCK_MS and resumed elsewhere
    await stream.ended;
    expect(stream.failure).toBeUndefined();
    const run = await api.getRun(id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.workerId).not.toBe(holder);
    expect(epochs(stream.events).map((e) => Number(e.id))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(statuses(stream.events)).toEqual(['null->QUEUED', 'QUEUED->RUNNING', 'RUNNING->QUEUED', 'QUEUED->RUNNING', 'RUNNING->SUCCEEDED']);
    // Each epoch as stored, bar those the resumed attempt recomputed (the same numbers on the same backend).
    const streamed = epochs(stream.events).map((e) => e.data);
    expect(streamed.map((m) => m.loss)).toEqual(run.metrics.map((m) => expect.closeTo(m.loss, 5)));
  }, 180_000);
});
