import type { PrismaClient } from '#libs/database';

/** The live work in the system at one moment: what a fault would hit if it came now. */
export interface Progress {
  running: number;
  queued: number;
  /** RUNNING runs with at least one epoch stored and more to train. */
  midTraining: number;
  processingDatasets: number;
  /** Epochs stored over every run: it grows while the system is making progress. */
  epochsStored: number;
  /** The pid of the worker process training each RUNNING run, with that run's stored epochs. */
  busy: { pid: number; runId: string; epoch: number; epochs: number }[];
}

/** Reads the private database's runs, datasets and workers (chaos owns every row in it); null while Postgres is away. */
export async function readProgress(prisma: PrismaClient): Promise<Progress | null> {
  try {
    const [runs, processingDatasets, stored] = await Promise.all([
      prisma.run.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] } }, select: { id: true, status: true, epochs: true, finalEpoch: true, workerId: true } }),
      prisma.dataset.count({ where: { status: { in: ['PENDING', 'PROCESSING'] } } }),
      prisma.run.aggregate({ _sum: { finalEpoch: true } }),
    ]);
    const running = runs.filter((r) => r.status === 'RUNNING');
    const workerIds = running.flatMap((r) => (r.workerId ? [r.workerId] : []));
    const workers = await prisma.worker.findMany({ where: { id: { in: workerIds } }, select: { id: true, pid: true } });
    const pidOf = new Map(workers.map((w) => [w.id, w.pid]));
    return {
      running: running.length,
      queued: runs.length - running.length,
      midTraining: running.filter((r) => (r.finalEpoch ?? 0) >= 1 && (r.finalEpoch ?? 0) < r.epochs).length,
      processingDatasets,
      epochsStored: stored._sum.finalEpoch ?? 0,
      busy: running.flatMap((r) => {
        const pid = r.workerId ? pidOf.get(r.workerId) : undefined;
        return pid ? [{ pid, runId: r.id, epoch: r.finalEpoch ?? 0, epochs: r.epochs }] : [];
      }),
    };
  } catch {
    return null;
  }
}

/** "3 RUNNING (2 mid-training), 14 QUEUED, 1 dataset processing", for the fault log and table. */
export function describe(progress: Progress): string {
  const datasets = progress.processingDatasets ? `, ${progress.processingDatasets} dataset(s) processing` : '';
  return `${progress.running} RUNNING (${progress.midTraining} mid-training), ${progress.queued} QUEUED${datasets}`;
}
