// The queue: many one-epoch runs of a tiny network submitted at once, and what each costs beyond its training.
import { ApiError, type RunView, type TrainyardClient } from '#libs/client';

export interface QueueResult {
  runs: number;
  submitMs: number[];
  /** First submission sent → last run SUCCEEDED. */
  wallSeconds: number;
  /** Per run: RUNNING → SUCCEEDED minus its epochs' seconds. */
  inRunOverheadMs: number[];
  /** Per worker, between one run's SUCCEEDED and its next run's RUNNING. */
  handOffMs: number[];
  /** QUEUED → RUNNING, which includes waiting behind the other runs. */
  queuedMs: number[];
  trainingMs: number[];
  failed: number;
  /** Submissions of the first wave the API refused, by message (sent again afterwards, 8 at a time). */
  refused: Map<string, number>;
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
};
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / (values.length || 1);

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  }));
  return out;
}

export async function queueBench(client: TrainyardClient, datasetId: string, count: number): Promise<QueueResult> {
  const body = { datasetId, layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 32, epochs: 1, seed: 1 };
  const started = Date.now();
  const refused = new Map<string, number>();
  const answers = await Promise.all(
    Array.from({ length: count }, async () => {
      const t0 = performance.now();
      try {
        const { id } = await client.createRun(body);
        return { id, ms: performance.now() - t0 };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        refused.set(error.message, (refused.get(error.message) ?? 0) + 1);
        return null;
      }
    }),
  );
  const accepted = answers.filter((a): a is { id: string; ms: number } => a !== null);
  // Refused ones are sent again as a client would after a 503, 8 at a time, so the queue still gets its runs.
  const retried = await mapLimit(Array.from({ length: count - accepted.length }), 8, async () => ({ id: (await client.createRun(body)).id, ms: NaN }));
  const submitted = [...accepted, ...retried];
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const [done, failed] = await Promise.all([client.listRuns({ status: 'SUCCEEDED', limit: 1 }), client.listRuns({ status: 'FAILED', limit: 1 })]);
    if (done.total + failed.total >= submitted.length) break;
    if (Date.now() > deadline) throw new Error(`queue: only ${done.total} of ${count} runs SUCCEEDED after 30 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const runs = await mapLimit(submitted, 8, ({ id }) => client.getRun(id));
  const at = (run: RunView, to: string) => Date.parse(run.history.filter((h) => h.to === to).at(-1)?.at ?? 'NaN');
  const ok = runs.filter((r) => r.status === 'SUCCEEDED');
  const trainingMs = ok.map((r) => r.metrics.reduce((sum, m) => sum + m.seconds * 1000, 0));
  const byWorker = new Map<string, RunView[]>();
  for (const run of ok) byWorker.set(run.workerId ?? '?', [...(byWorker.get(run.workerId ?? '?') ?? []), run]);
  const handOffMs: number[] = [];
  for (const list of byWorker.values()) {
    list.sort((a, b) => at(a, 'RUNNING') - at(b, 'RUNNING'));
    for (let i = 1; i < list.length; i++) handOffMs.push(at(list[i]!, 'RUNNING') - at(list[i - 1]!, 'SUCCEEDED'));
  }
  return {
    runs: submitted.length,
    submitMs: accepted.map((s) => s.ms),
    wallSeconds: (Math.max(...ok.map((r) => at(r, 'SUCCEEDED'))) - started) / 1000,
    inRunOverheadMs: ok.map((r, i) => at(r, 'SUCCEEDED') - at(r, 'RUNNING') - trainingMs[i]!),
    handOffMs,
    queuedMs: ok.map((r) => at(r, 'RUNNING') - at(r, 'QUEUED')),
    trainingMs,
    failed: runs.length - ok.length,
    refused,
  };
}
