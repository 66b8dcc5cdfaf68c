import { setTimeout as sleep } from 'node:timers/promises';
import { openStream } from '#libs/testing';
import { RunEvents } from '#libs/queue';
import { startTestApi } from '../testing/test-app.js';
import { LiveStreams, RESCAN_MS } from './live-streams.js';

// The streams against rows written straight into Postgres, as a worker's ledger writes them.
describe('the event streams', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let datasetId: string;
  let modelId: string;

  async function storeRun(status: 'QUEUED' | 'RUNNING' = 'QUEUED') {
    const run = await api.prisma.run.create({
      data: { datasetId, modelId, status, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 3, seed: 1 },
    });
    await api.prisma.runEvent.create({ data: { runId: run.id, toStatus: 'QUEUED', attempt: 0, message: 'submitted' } });
    return run.id;
  }
  const transition = (runId: string, fromStatus: 'QUEUED' | 'RUNNING', toStatus: 'RUNNING' | 'QUEUED' | 'SUCCEEDED', attempt = 1) =>
    api.prisma.runEvent.create({ data: { runId, fromStatus, toStatus, attempt, workerId: 'w1' } });
  const epoch = (runId: string, n: number) =>
    api.prisma.runMetric.create({ data: { runId, epoch: n, loss: 1 / n, accuracy: 0.5, valLoss: null, valAccuracy: null, seconds: 0.1, samplesPerSecond: 10 } });
  const announce = (runId: string) => api.app.get(RunEvents).announce(runId);
  const stream = (runId: string, lastEventId?: string) => openStream(`${api.url}/runs/${runId}/events`, api.adminKey, { lastEventId });
  const openStreams = async (count: number) => {
    for (const deadline = Date.now() + 10_000; api.app.get(LiveStreams).size !== count; await sleep(25)) {
      if (Date.now() > deadline) throw new Error(`${api.app.get(LiveStreams).size} streams open, expected ${count}`);
    }
  };

  beforeAll(async () => {
    api = await startTestApi();
    datasetId = (await api.prisma.dataset.create({ data: { name: 'd', width: 4, height: 4, classes: ['a', 'b'], status: 'READY', numSamples: 10 } })).id;
    modelId = (await api.prisma.model.create({ data: { name: 'm' } })).id;
  });
  afterAll(() => api.close());

  it('sends what is written as it is announced, ids being epochs, and ends after the terminal status', async () => {
    const runId = await storeRun();
    const client = stream(runId);
    await client.until((events) => events.length === 1);
    await transition(runId, 'QUEUED', 'RUNNING');
    await epoch(runId, 1);
    announce(runId);
    await client.until((events) => events.length === 3);
    await epoch(runId, 2);
    await api.prisma.run.update({ where: { id: runId }, data: { status: 'SUCCEEDED' } });
    await transition(runId, 'RUNNING', 'SUCCEEDED');
    announce(runId);
    await client.ended;
    expect(client.failure).toBeUndefined();
    expect(client.events.map((e) => `${e.type}:${e.id}:${e.data.to ?? e.data.epoch}`)).toEqual(['status:0:QUEUED', 'status:0:RUNNING', 'epoch:1:1', 'epoch:2:2', 'status:2:SUCCEEDED']);
    const run = await api.client.getRun(runId);
    expect(client.events.filter((e) => e.type === 'epoch').map((e) => e.data)).toEqual(run.metrics);
    expect(client.events.filter((e) => e.type === 'status').map((e) => e.data)).toEqual(run.history);
    await openStreams(0);
  });

  it('re-reads Postgres on a timer, so a change nobody announced still arrives', async () => {
    const runId = await storeRun();
    await transition(runId, 'QUEUED', 'RUNNING');
    const client = stream(runId);
    await client.until((events) => events.length === 2);
    await epoch(runId, 1); // no announcement
    await client.until((events) => events.some((e) => e.type === 'epoch'), RESCAN_MS * 5);
    client.close();
  });

  it('with Last-Event-ID sends the run\'s current status and only the later epochs', async () => {
    const runId = await storeRun();
    await transition(runId, 'QUEUED', 'RUNNING');
    for (const n of [1, 2, 3]) await epoch(runId, n);
    const client = stream(runId, '2');
    await client.until((events) => events.length === 2);
    expect(client.events.map((e) => `${e.type}:${e.id}`)).toEqual(['status:2', 'epoch:3']);
    expect(client.events[0]!.data.to).toBe('RUNNING');
    client.close();
    await openStreams(0);
  });

  it('ends a run\'s stream when the run is deleted', async () => {
    const runId = await storeRun();
    const client = stream(runId);
    await client.until((events) => events.length === 1);
    await api.prisma.run.delete({ where: { id: runId } });
    announce(runId);
    await client.ended;
    expect(client.failure).toBeUndefined();
  });

  it('closes every stream a client leaves, and its timers and listener with it', async () => {
    const runIds = await Promise.all([storeRun(), storeRun(), storeRun()]);
    const clients = [...runIds.map((id) => stream(id)), openStream(`${api.url}/events`, api.adminKey)];
    await openStreams(4);
    clients.forEach((c) => c.close());
    await openStreams(0);
  });

  it('refuses an unknown run (404), a bad Last-Event-ID (400) and a caller without a key (401), naming the problem', async () => {
    const unknown = crypto.randomUUID();
    const response = await fetch(`${api.url}/runs/${unknown}/events`, { headers: api.client.authHeaders });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain(unknown);
    const bad = await fetch(`${api.url}/runs/${await storeRun()}/events`, { headers: { ...api.client.authHeaders, 'Last-Event-ID': 'abc' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('Last-Event-ID');
    expect((await fetch(`${api.url}/events`)).status).toBe(401);
    const client = stream(unknown);
    await client.ended;
    expect(client.failure).toBe(404);
  });

  it('GET /events sends every run\'s status changes from the moment of connecting, ids being the history entries\'', async () => {
    const before = await storeRun();
    const viewer = await api.clientAs('viewer');
    const client = openStream(`${api.url}/events`, viewer.key.key, { types: ['status'] });
    await openStreams(1);
    const [a, b] = [await storeRun(), await storeRun()];
    await transition(a, 'QUEUED', 'RUNNING');
    announce(a);
    await client.until((events) => events.length === 3);
    expect(client.events.map((e) => [e.data.runId, e.data.to])).toEqual([[a, 'QUEUED'], [b, 'QUEUED'], [a, 'RUNNING']]);
    expect(client.events.map((e) => e.id)).toEqual(client.events.map((e) => e.data.id));
    expect(client.events.some((e) => e.data.runId === before)).toBe(false);
    client.close();

    // A reconnect with Last-Event-ID gets what came after it.
    const again = openStream(`${api.url}/events`, api.adminKey, { lastEventId: client.events[0]!.id, types: ['status'] });
    await again.until((events) => events.length === 2);
    expect(again.events.map((e) => e.data.to)).toEqual(['QUEUED', 'RUNNING']);
    again.close();
  });

  it('lets the API stop while streams are open', async () => {
    const other = await startTestApi();
    const run = await other.prisma.run.create({
      data: { datasetId: (await other.prisma.dataset.create({ data: { name: 'd', width: 4, height: 4, classes: ['a', 'b'], status: 'READY', numSamples: 10 } })).id, modelId: (await other.prisma.model.create({ data: { name: 'm' } })).id, layers: [], optimizer: {}, batchSize: 4, epochs: 3, seed: 1 },
    });
    await other.prisma.runEvent.create({ data: { runId: run.id, toStatus: 'QUEUED', attempt: 0 } });
    const client = openStream(`${other.url}/runs/${run.id}/events`, other.adminKey);
    const global = openStream(`${other.url}/events`, other.adminKey);
    for (const deadline = Date.now() + 10_000; other.app.get(LiveStreams).size < 2; await sleep(25)) if (Date.now() > deadline) throw new Error('streams did not open');
    await other.close(); // hangs (and the test times out) if an open stream holds the server
    await Promise.all([client.ended, global.ended]);
  }, 30_000);
});
