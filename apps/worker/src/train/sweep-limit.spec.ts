import { QueueName } from '#libs/contracts';
import { PrismaService, RunStatus } from '#libs/database';
import { createRedis, JobQueue, RunEvents } from '#libs/queue';
import { createTestDatabase, TEST_REDIS_URL, uniqueName } from '#libs/testing';
import { SweepLimit } from './sweep-limit.js';

// The release of held sweep runs against real Postgres and Redis: the invariant is "never more slots than maxParallel".
describe("a sweep's limit", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let prisma: PrismaService;
  let jobs: JobQueue;
  let redis: ReturnType<typeof createRedis>;
  let limits: SweepLimit[];
  let pools: PrismaService[];

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.url);
    redis = createRedis(TEST_REDIS_URL);
    jobs = new JobQueue(redis, uniqueName('sweep'));
    // Several workers' limits, each with its own connection pool, as separate worker processes would have.
    pools = Array.from({ length: 4 }, () => new PrismaService(db.url));
    limits = pools.map((pool) => new SweepLimit(pool, jobs, new RunEvents(redis, uniqueName('sweep'))));
  });
  afterAll(async () => {
    await jobs.queue(QueueName.Train).obliterate({ force: true });
    await jobs.close();
    redis.disconnect();
    await Promise.all([prisma, ...pools].map((p) => p.$disconnect()));
    await db.drop();
  });

  /** A sweep of `runs` runs, the first `maxParallel` released (as the API stores them), the rest held. */
  async function sweepOf(runs: number, maxParallel: number) {
    const dataset = await prisma.dataset.create({ data: { name: uniqueName('d'), width: 2, height: 2, classes: ['a', 'b'], status: 'READY' } });
    const model = await prisma.model.create({ data: { name: uniqueName('m') } });
    const sweep = await prisma.sweep.create({ data: { spec: {}, maxParallel } });
    const ids: string[] = [];
    for (let index = 0; index < runs; index++) {
      const run = await prisma.run.create({
        data: { datasetId: dataset.id, modelId: model.id, layers: [], optimizer: {}, batchSize: 1, epochs: 1, seed: 1, sweepId: sweep.id, sweepIndex: index, heldBySweep: index >= maxParallel },
      });
      ids.push(run.id);
    }
    return { sweep, ids };
  }
  const held = async (sweepId: string) => (await prisma.run.findMany({ where: { sweepId, heldBySweep: true }, orderBy: { sweepIndex: 'asc' }, select: { sweepIndex: true } })).map((r) => r.sweepIndex);
  const releaseTogether = async () => (await Promise.all(limits.map((l) => l.release()))).flat();

  it('releases nothing while every slot is taken, however many workers try at once', async () => {
    const { sweep } = await sweepOf(6, 2);
    expect(await releaseTogether()).toEqual([]);
    expect(await held(sweep.id)).toEqual([2, 3, 4, 5]);
  });

  it('hands each freed slot to exactly one held run, lowest index first, and queues its job', async () => {
    const { sweep, ids } = await sweepOf(6, 2);
    await prisma.run.updateMany({ where: { id: { in: [ids[0]!, ids[1]!] } }, data: { status: RunStatus.SUCCEEDED } });
    const released = await releaseTogether();
    expect(released.sort()).toEqual([ids[2]!, ids[3]!].sort());
    expect(await held(sweep.id)).toEqual([4, 5]);
    expect((await jobs.queue(QueueName.Train).getJob(ids[2]!))?.data).toEqual({ runId: ids[2] });
    const history = await prisma.runEvent.findMany({ where: { runId: ids[3]! } });
    expect(history.map((e) => e.message)).toEqual(['released: a slot of its sweep came free (0 of 2 taken)']);

    // A run that failed, or was cancelled, frees its slot too; one still RUNNING or QUEUED with a job keeps it.
    await prisma.run.update({ where: { id: ids[2]! }, data: { status: RunStatus.FAILED } });
    await prisma.run.update({ where: { id: ids[3]! }, data: { status: RunStatus.RUNNING } });
    expect(await releaseTogether()).toEqual([ids[4]]);
    expect(await held(sweep.id)).toEqual([5]);
  });

  it('releases nothing once the sweep is cancelled', async () => {
    const { sweep, ids } = await sweepOf(3, 1);
    await prisma.sweep.update({ where: { id: sweep.id }, data: { cancelledAt: new Date() } });
    await prisma.run.update({ where: { id: ids[0]! }, data: { status: RunStatus.CANCELLED } });
    expect(await releaseTogether()).toEqual([]);
    expect(await held(sweep.id)).toEqual([1, 2]);
  });
});
