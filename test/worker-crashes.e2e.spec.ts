import { poll } from '#libs/client';
import { startWorker } from '#libs/launcher';
import { shapesZip } from '#libs/samples';
import { startSystem } from '#libs/testing';

// A job that kills every worker that takes it (an OOM, a native crash) must end, not circle for ever.
describe('a job that keeps killing its worker', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    system = await startSystem({ workers: 0, env: { JOB_LOCK_MS: '1000', JOB_CRASH_LIMIT: '3' } });
  }, 60_000);

  afterAll(() => system?.stop());

  it('ends FAILED after JOB_CRASH_LIMIT workers died on it, saying so, and is not taken again', async () => {
    const { api, prisma, env } = system;
    const first = await startWorker(env, 'preprocessor');
    system.adopt(first);
    const upload = await api.uploadDataset(await shapesZip({ perClass: 20, size: 32, seed: 'crash' }), { width: 32, height: 32 });
    const dataset = await api.waitForDataset(upload.id, 60_000);
    expect(dataset.status).toBe('READY');
    await first.stop();

    // Wide layers and one sample per batch: the worker is killed long before its first epoch is stored.
    const { id } = await api.createRun({ datasetId: dataset.id, layers: [{ units: 2048, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.01 }, batchSize: 1, epochs: 50, seed: 1 });
    let kills = 0;
    for (let attempt = 1; kills < 8; attempt++) {
      const worker = await startWorker(env, `victim-${attempt}`);
      system.adopt(worker);
      const seen = await poll(() => prisma.run.findUniqueOrThrow({ where: { id } }), (r) => r.status === 'FAILED' || r.attempt >= attempt, 30_000, 50);
      if (seen.status === 'FAILED') {
        await worker.stop();
        break;
      }
      await worker.kill(); // SIGKILL while it holds the run: what the OOM killer does
      kills++;
    }
    const run = await api.getRun(id);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('the worker stopped 3 times while running this job: out of memory or a native crash?');
    expect(kills).toBe(3);
    expect(run.metrics).toEqual([]);
    expect(run.history.at(-1)).toMatchObject({ from: 'RUNNING', to: 'FAILED' });
    // The worker that found the limit did not train it: three attempts, one per killed worker.
    expect(run.attempt).toBe(3);
  }, 120_000);
});
