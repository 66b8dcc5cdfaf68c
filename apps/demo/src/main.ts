import { z } from 'zod';
import { formatEvaluation, TrainyardClient, type MetricView } from '#libs/client';
import { adminKeyFile, commonEnv, intVar, loadConfig, readAdminKey } from '#libs/config';
import type { EvaluationView } from '#libs/contracts';
import { migrate } from '#libs/database';
import { AppProcess, ensureServices, startApi, startWorker } from '#libs/launcher';
import { shapesZip } from '#libs/samples';
import { ensureFastBackend } from './fast-backend.js';

// `npm run demo`: the whole system end to end on one machine, from a generated dataset to a stored run.
const config = loadConfig(
  z.object({ ...commonEnv, DEMO_PORT: intVar(1, 65_535, 3000), DEMO_IMAGES_PER_CLASS: intVar(10, 10_000, 300), ADMIN_API_KEY: z.string().optional() }),
);
const log = (line: string) => console.log(`[demo] ${line}`);
const started: AppProcess[] = [];

async function main(): Promise<boolean> {
  await ensureServices(config.DATABASE_URL, config.REDIS_URL, log);
  await ensureFastBackend(log);
  const applied = await migrate(config.DATABASE_URL);
  log(applied.length ? `migrated: ${applied.join(', ')}` : 'database schema is up to date');

  const env = { DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL, QUEUE_PREFIX: config.QUEUE_PREFIX, PORT: String(config.DEMO_PORT) };
  const { api: apiProcess, url } = await startApi(env);
  started.push(apiProcess, await startWorker(env));
  // The API started (which inherits ADMIN_API_KEY) made or kept the admin key in the user's config directory before listening.
  const apiKey = config.ADMIN_API_KEY || (await readAdminKey());
  if (!apiKey) throw new Error(`the API left no admin key in ${adminKeyFile()}`);
  const api = new TrainyardClient(url, { apiKey });
  for (const worker of (await api.listWorkers()).items) log(`worker ${worker.id}: backend ${worker.backend} (${worker.device})`);

  const zip = await shapesZip({ perClass: config.DEMO_IMAGES_PER_CLASS, size: 64, seed: 'demo' });
  log(`generated ${3 * config.DEMO_IMAGES_PER_CLASS} images of circles, squares and triangles (${(zip.length / 1024).toFixed(0)} KiB zip)`);
  const upload = await api.uploadDataset(zip, { name: 'shapes-demo', width: 32, height: 32, fileName: 'shapes.zip' });
  const dataset = await api.waitForDataset(upload.id);
  if (dataset.status !== 'READY') throw new Error(`dataset ${dataset.id} ${dataset.status}: ${dataset.error}`);
  log(`dataset ${dataset.id} READY: ${dataset.numSamples} samples of ${dataset.width}×${dataset.height} = ${dataset.width * dataset.height} activations, classes ${dataset.classes.join(', ')}`);

  const { id } = await api.createRun({
    datasetId: dataset.id,
    layers: [{ units: 128, activation: 'relu' }, { units: 64, activation: 'relu' }],
    optimizer: { name: 'adam', learningRate: 0.001 },
    batchSize: 32,
    epochs: 25,
    seed: 7,
  });
  log(`run ${id} queued; epochs as they land:`);
  let printed = 0;
  const run = await api.waitForRun(id, (update) => {
    for (const m of update.metrics.slice(printed)) log(formatMetric(m));
    printed = Math.max(printed, update.metrics.length);
  });

  const { metrics, history, ...summary } = run;
  log('stored run:');
  console.log(JSON.stringify({ ...summary, history, metrics: `${metrics.length} epochs (above)` }, null, 2));
  const final = metrics.at(-1);
  const ok = run.status === 'SUCCEEDED' && (final?.valAccuracy ?? 0) >= 0.9;
  log(`${run.status}: validation accuracy ${((final?.valAccuracy ?? 0) * 100).toFixed(1)}% ${ok ? '(≥ 90%: ok)' : '(below the 90% target)'}`);
  if (run.status !== 'SUCCEEDED') return false;
  const evaluation = await api.request<EvaluationView>('GET', `/runs/${id}/evaluation`);
  log(`evaluation of model ${run.model.name} v${run.modelVersion?.version} on the test split (GET /runs/${id}/evaluation):`);
  console.log(formatEvaluation(evaluation));
  return ok;
}

function formatMetric(m: MetricView): string {
  const pct = (x: number | null) => (x === null ? '  n/a' : `${(x * 100).toFixed(1)}%`);
  return `epoch ${String(m.epoch).padStart(2)}  loss ${m.loss.toFixed(4)}  acc ${pct(m.accuracy)}  val_loss ${m.valLoss?.toFixed(4) ?? 'n/a'}  val_acc ${pct(m.valAccuracy)}  ${m.seconds.toFixed(2)} s  ${Math.round(m.samplesPerSecond)} samples/s`;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(`[demo] failed: ${(error as Error).message}`);
  for (const p of started) console.error(`--- ${p.name} output ---\n${p.tail()}`);
} finally {
  await Promise.all(started.map((p) => p.stop()));
}
process.exit(ok ? 0 : 1);
