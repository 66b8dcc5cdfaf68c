import seedrandom from 'seedrandom';
import pg from 'pg';
import { ACTIVATIONS, OPTIMIZERS } from '#libs/contracts';

/** What the history bench stores: runs and their epochs, in the proportions a busy team's history has. */
export interface FillPlan {
  runs: number;
  metricRows: number;
  /** SUCCEEDED runs of exactly 100 epochs, the ones GET /runs/:id is measured on. */
  hundredEpochRuns: number;
}

export interface FillResult {
  seconds: number;
  hundredEpochRunIds: string[];
  datasetIds: string[];
  statusCounts: Record<string, number>;
  optimizerCounts: Record<string, number>;
}

const STATUSES: [string, number][] = [['SUCCEEDED', 0.77], ['FAILED', 0.09], ['CANCELLED', 0.09], ['QUEUED', 0.03], ['RUNNING', 0.02]];
const OPTIMIZER_SHARE: [(typeof OPTIMIZERS)[number], number][] = [['adam', 0.45], ['sgd', 0.25], ['momentum', 0.15], ['rmsprop', 0.15]];
const ACTIVATION_SHARE: [(typeof ACTIVATIONS)[number], number][] = [['relu', 0.5], ['tanh', 0.2], ['sigmoid', 0.15], ['leakyRelu', 0.1], ['linear', 0.05]];
/** Planned epochs; their mean (about 115) less early stops and unfinished runs lands near 100 stored per run. */
const EPOCHS: [number, number][] = [[10, 0.1], [20, 0.12], [30, 0.1], [50, 0.16], [100, 0.22], [150, 0.1], [200, 0.1], [300, 0.07], [500, 0.03]];

/**
 * Fills the (empty, migrated) schema: API keys, datasets and models to point at, `plan.runs` runs whose
 * rows are drawn here (seeded) and inserted through unnest, then every stored epoch's metric row made
 * by Postgres itself (generate_series over each run's finalEpoch), so a million rows take seconds.
 * Each run's final columns equal its last metric row, and durationSeconds the sum of their seconds,
 * as the worker keeps them.
 */
export async function fillHistory(client: pg.Client, plan: FillPlan): Promise<FillResult> {
  const started = performance.now();
  const random = seedrandom('bench-history');
  const pick = <T>(shares: [T, number][]): T => {
    let r = random();
    for (const [value, share] of shares) if ((r -= share) < 0) return value;
    return shares.at(-1)![0];
  };
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();

  const keys = (await client.query<{ id: string }>(`INSERT INTO api_keys (id, name, role, "keyHash") SELECT gen_random_uuid(), 'bench-' || i, 'member', md5('bench' || i) FROM generate_series(1, 8) i RETURNING id`)).rows.map((r) => r.id);
  const datasetIds = (await client.query<{ id: string }>(`INSERT INTO datasets (id, name, status, width, height, "numSamples", "imageCount", classes, "updatedAt") SELECT gen_random_uuid(), 'bench-set-' || i, 'READY', 32, 32, 900, 900, ARRAY['circle', 'square', 'triangle'], now() FROM generate_series(1, 25) i RETURNING id`)).rows.map((r) => r.id);
  const modelIds = (await client.query<{ id: string }>(`INSERT INTO models (id, name) SELECT gen_random_uuid(), 'bench-model-' || i FROM generate_series(1, 60) i RETURNING id`)).rows.map((r) => r.id);

  type Row = { status: string; epochs: number; stored: number; optimizer: string; lr: number; activation: string[]; units: number[]; valAccuracy: number; secondsPerEpoch: number; queuedAt: number };
  const rows: Row[] = [];
  const now = Date.now();
  // Spread through the history, not all at its start or end.
  const hundredEvery = Math.floor(plan.runs / plan.hundredEpochRuns);
  for (let i = 0; i < plan.runs; i++) {
    const hundred = i % hundredEvery === 7;
    const status = hundred ? 'SUCCEEDED' : pick(STATUSES);
    const epochs = hundred ? 100 : pick(EPOCHS);
    const stored =
      status === 'QUEUED' ? 0
      : status === 'SUCCEEDED' ? (hundred || random() > 0.2 ? epochs : Math.max(1, Math.round(epochs * between(0.5, 1)))) // a fifth stop early
      : Math.max(1, Math.floor(epochs * random()));
    const optimizer = pick(OPTIMIZER_SHARE);
    const depth = 1 + Math.floor(random() * 3);
    const quality = { adam: 0.92, rmsprop: 0.9, momentum: 0.88, sgd: 0.84 }[optimizer];
    rows.push({
      status,
      epochs,
      stored,
      optimizer,
      lr: optimizer === 'sgd' || optimizer === 'momentum' ? 10 ** between(-2, -0.5) : 10 ** between(-4, -2),
      activation: Array.from({ length: depth }, () => pick(ACTIVATION_SHARE)),
      units: Array.from({ length: depth }, () => [16, 32, 64, 128, 256][Math.floor(random() * 5)]!),
      // Skewed toward the optimizer's typical accuracy; failed and cancelled runs stopped short of it.
      valAccuracy: Math.min(0.995, Math.max(0.34, quality - 0.25 * random() ** 2 - (status === 'SUCCEEDED' ? 0 : 0.15 * random()))),
      secondsPerEpoch: 10 ** between(-1.3, 0.5),
      queuedAt: now - (plan.runs - i) * 1_500_000 - Math.floor(random() * 600_000),
    });
  }
  // Exactly plan.metricRows stored epochs: the difference is spread over the SUCCEEDED runs that did not stop early.
  const adjustable = rows.filter((r) => r.status === 'SUCCEEDED' && r.stored === r.epochs && r.epochs !== 100);
  let missing = plan.metricRows - rows.reduce((sum, r) => sum + r.stored, 0);
  for (let k = 0; missing !== 0; k = (k + 1) % adjustable.length) {
    const run = adjustable[k]!;
    const step = Math.sign(missing) * Math.min(Math.abs(missing), Math.max(1, Math.ceil(Math.abs(missing) / adjustable.length)));
    if (run.stored + step < 5) continue;
    run.stored += step;
    run.epochs = run.stored;
    missing -= step;
  }

  const column = <T>(f: (r: Row, i: number) => T) => rows.map(f);
  const { rows: inserted } = await client.query<{ id: string; epochs: number; status: string; finalEpoch: number | null }>(
    `INSERT INTO runs (id, "datasetId", "modelId", status, layers, optimizer, "batchSize", epochs, seed, attempt, "workerId", backend, error,
                       "queuedAt", "startedAt", "finishedAt", "createdById", "finalEpoch", "finalLoss", "finalAccuracy", "finalValLoss", "finalValAccuracy", "durationSeconds")
     SELECT gen_random_uuid(), d, m, s::"RunStatus", l, o, b, e, seed, CASE WHEN s = 'QUEUED' THEN 0 ELSE 1 END,
            CASE WHEN s = 'QUEUED' THEN NULL ELSE 'bench-worker-' || (seed % 4) END, CASE WHEN s = 'QUEUED' THEN NULL ELSE 'cpu-blas' END,
            CASE WHEN s = 'FAILED' THEN 'loss diverged at epoch ' || n || ', batch 3' END,
            q, CASE WHEN s = 'QUEUED' THEN NULL ELSE q + interval '2 seconds' END,
            CASE WHEN s IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN q + interval '2 seconds' + n * sec * interval '1 second' END,
            k, NULLIF(n, 0), CASE WHEN n > 0 THEN -ln(va) * 1.15 END, CASE WHEN n > 0 THEN least(1, va + 0.03) END,
            CASE WHEN n > 0 THEN -ln(va) * 1.3 END, CASE WHEN n > 0 THEN va END, n * sec
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::int[], $7::int[], $8::int[], $9::timestamptz[], $10::uuid[], $11::int[], $12::float8[], $13::float8[])
          AS t(d, m, s, l, o, b, e, seed, q, k, n, va, sec)
     RETURNING id, epochs, status, "finalEpoch"`,
    [
      column((_, i) => datasetIds[i % datasetIds.length]),
      column((_, i) => modelIds[(i * 7) % modelIds.length]),
      column((r) => r.status),
      column((r) => JSON.stringify(r.units.map((units, j) => ({ units, activation: r.activation[j] })))),
      column((r) => JSON.stringify({ name: r.optimizer, learningRate: Number(r.lr.toPrecision(2)) })),
      column((_, i) => [16, 32, 64, 128][i % 4]),
      column((r) => r.epochs),
      column((_, i) => i),
      column((r) => new Date(r.queuedAt).toISOString()),
      column((_, i) => (i % 10 === 0 ? null : keys[i % keys.length])),
      column((r) => r.stored),
      column((r) => r.valAccuracy),
      column((r) => r.secondsPerEpoch),
    ],
  );

  // Curves that end exactly at the run's final columns: (1 - e/n)² is 0 at the last epoch.
  await client.query(`
    INSERT INTO run_metrics ("runId", epoch, loss, accuracy, "valLoss", "valAccuracy", seconds, "samplesPerSecond", timing)
    SELECT r.id, e,
           r."finalLoss" + (1.2 - r."finalLoss") * p + 0.02 * p * random(),
           r."finalAccuracy" - (r."finalAccuracy" - 0.34) * p,
           r."finalValLoss" + (1.2 - r."finalValLoss") * p + 0.03 * p * random(),
           r."finalValAccuracy" - (r."finalValAccuracy" - 0.34) * p,
           sec, 720 / sec,
           jsonb_build_object('batchesMs', round(sec * 850), 'validationMs', round(sec * 90), 'checkpointMs', round(sec * 40), 'storageMs', round(sec * 15), 'otherMs', round(sec * 5))
    FROM runs r
    CROSS JOIN LATERAL generate_series(1, r."finalEpoch") AS e
    CROSS JOIN LATERAL (SELECT (1 - e::float8 / r."finalEpoch") ^ 2 AS p, r."durationSeconds" / r."finalEpoch" AS sec) AS curve
    WHERE r."finalEpoch" IS NOT NULL`);
  // The history each run's lifecycle wrote: submitted, claimed, ended.
  await client.query(`
    INSERT INTO run_events ("runId", "fromStatus", "toStatus", attempt, "workerId", message, at)
    SELECT id, NULL::"RunStatus", 'QUEUED'::"RunStatus", 0, NULL, 'submitted', "queuedAt" FROM runs
    UNION ALL SELECT id, 'QUEUED', 'RUNNING', 1, "workerId", NULL, "startedAt" FROM runs WHERE "startedAt" IS NOT NULL
    UNION ALL SELECT id, 'RUNNING', status, 1, "workerId", error, "finishedAt" FROM runs WHERE "finishedAt" IS NOT NULL
    ORDER BY 7`);
  // As the worker keeps it: the sum of the stored epochs' seconds.
  await client.query(`UPDATE runs r SET "durationSeconds" = m.total FROM (SELECT "runId", sum(seconds) AS total FROM run_metrics GROUP BY "runId") m WHERE m."runId" = r.id`);
  // What autovacuum reaches within a minute of a bulk insert: statistics, and a visibility map for index-only counts.
  await client.query('VACUUM ANALYZE');

  const count = (key: (r: Row) => string) => rows.reduce<Record<string, number>>((acc, r) => ((acc[key(r)] = (acc[key(r)] ?? 0) + 1), acc), {});
  return {
    seconds: (performance.now() - started) / 1000,
    hundredEpochRunIds: inserted.filter((r) => r.status === 'SUCCEEDED' && r.finalEpoch === 100 && r.epochs === 100).slice(0, plan.hundredEpochRuns).map((r) => r.id),
    datasetIds,
    statusCounts: count((r) => r.status),
    optimizerCounts: count((r) => r.optimizer),
  };
}
