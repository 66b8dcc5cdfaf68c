import type { ChunkTiming, DatasetTiming } from '#libs/contracts';

/** The chunks' timings as the dataset shows them: summed steps, the span they ran in, and what each worker did. */
export function chunksTiming(chunks: ChunkTiming[]): DatasetTiming['chunks'] {
  if (!chunks.length) return undefined;
  const seconds = (c: ChunkTiming) => c.openSeconds + c.preprocessSeconds + c.writeSeconds;
  const endOf = (c: ChunkTiming) => Date.parse(c.startedAt) + seconds(c) * 1000;
  const sum = (pick: (c: ChunkTiming) => number) => chunks.reduce((total, c) => total + pick(c), 0);
  const perWorker = new Map<string, { workerId: string; chunks: number; images: number; seconds: number }>();
  for (const c of chunks) {
    const worker = perWorker.get(c.workerId) ?? { workerId: c.workerId, chunks: 0, images: 0, seconds: 0 };
    perWorker.set(c.workerId, { ...worker, chunks: worker.chunks + 1, images: worker.images + c.images, seconds: worker.seconds + seconds(c) });
  }
  return {
    startedAt: new Date(Math.min(...chunks.map((c) => Date.parse(c.startedAt)))).toISOString(),
    endedAt: new Date(Math.max(...chunks.map(endOf))).toISOString(),
    openSeconds: sum((c) => c.openSeconds),
    preprocessSeconds: sum((c) => c.preprocessSeconds),
    writeSeconds: sum((c) => c.writeSeconds),
    images: { readSeconds: sum((c) => c.work.readSeconds), hashSeconds: sum((c) => c.work.hashSeconds), decodeSeconds: sum((c) => c.work.decodeSeconds) },
    perWorker: [...perWorker.values()],
  };
}
