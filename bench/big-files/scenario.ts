// A big upload and a big checkpoint through the real processes, with the resident memory each process
// reached. Used at full size by `npm run check:bigfiles` and scaled down by test/big-files.e2e.spec.ts.
import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import yazl from 'yazl';
import { poll, TrainyardClient } from '#libs/client';
import { dropSchema, migrate } from '#libs/database';
import { type AppProcess, startApi, startWorker } from '#libs/launcher';

export interface BigFilesOptions {
  /** The upload: `images` noise PNGs of side × side RGB, stored uncompressed (≈ 3·side² bytes each). */
  images: number;
  side: number;
  /** Images are preprocessed to `inputSide`² gray inputs. */
  inputSide: number;
  /**
   * The run, when given: one hidden layer of `hiddenUnits`, adam (3 floats per parameter in a checkpoint),
   * its worker SIGKILLed once the first checkpoint is stored and the run resumed from it by a fresh worker.
   */
  run?: { hiddenUnits: number; epochs: number };
  databaseUrl: string;
  redisUrl: string;
  /** Extra environment for the API and worker (e.g. TRAIN_BACKEND). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface MemoryPeak {
  process: string;
  /** VmHWM before the phase (resident peak since the process started) and after it, in MiB. */
  beforeMb: number;
  peakMb: number;
}

export interface BigFilesReport {
  uploadBytes: number;
  uploadSeconds: number;
  readySeconds: number;
  datasetStatus: string;
  uploadPeaks: MemoryPeak[];
  run?: {
    parameters: number;
    checkpointBytes: number;
    status: string;
    attempt: number;
    seconds: number;
    peaks: MemoryPeak[];
  };
}

const MIB = 1024 ** 2;

/** The resident-memory peak (VmHWM) of a running process, from Linux's /proc. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Writes a zip of `count` distinct noise PNGs to `path`, one image in memory at a time. */
export async function writeNoiseZip(path: string, count: number, side: number): Promise<number> {
  const noise = randomBytes(side * side * 3);
  const zip = new yazl.ZipFile();
  for (let i = 0; i < count; i++) {
    // Generated only when yazl reaches the entry, so the zip is never whole in this process either.
    const png = async function* () {
      noise.writeUInt32BE(i, 0);
      yield await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
    };
    zip.addReadStream(Readable.from(png()), `${i % 2 ? 'odd' : 'even'}/${i}.png`, { compress: false });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  return (await stat(path)).size;
}

/** Uploads a zip from disk as a stream (a file-backed Blob), so the caller never holds it either. */
async function uploadFile(client: TrainyardClient, path: string, fields: Record<string, string>): Promise<{ id: string }> {
  const form = new FormData();
  form.append('file', await openAsBlob(path, { type: 'application/zip' }), 'big.zip');
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${client.baseUrl}/datasets`, { method: 'POST', body: form, headers: client.authHeaders });
  if (!response.ok) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string };
}

async function peaks(processes: AppProcess[], before: Map<AppProcess, number>): Promise<MemoryPeak[]> {
  return Promise.all(
    processes.filter((p) => p.running).map(async (p) => ({ process: p.name, beforeMb: before.get(p) ?? NaN, peakMb: await peakRssMb(p.child.pid!) })),
  );
}

async function baseline(processes: AppProcess[]): Promise<Map<AppProcess, number>> {
  return new Map(await Promise.all(processes.filter((p) => p.running).map(async (p) => [p, await peakRssMb(p.child.pid!)] as const)));
}

/** Runs the scenario on a schema and queue prefix of its own, and removes them afterwards. */
export async function runBigFiles(options: BigFilesOptions): Promise<BigFilesReport> {
  const log = options.log ?? (() => undefined);
  const suffix = randomBytes(4).toString('hex');
  const url = new URL(options.databaseUrl);
  url.searchParams.set('schema', `bigfiles_${suffix}`);
  const databaseUrl = url.toString();
  const zipPath = join(tmpdir(), `trainyard-bigfiles-${suffix}.zip`);
  const adminKey = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL: databaseUrl, REDIS_URL: options.redisUrl, QUEUE_PREFIX: `bigfiles_${suffix}`, PORT: '0', ADMIN_API_KEY: adminKey,
    RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_ADDRESS: '100000000', MAX_UPLOAD_MB: '10240', MAX_UNCOMPRESSED_MB: '16384',
    ...options.env,
  };
  const processes: AppProcess[] = [];
  await migrate(databaseUrl);
  try {
    log(`writing a zip of ${options.images} ${options.side}×${options.side} noise PNGs`);
    const uploadBytes = await writeNoiseZip(zipPath, options.images, options.side);
    log(`zip: ${(uploadBytes / MIB).toFixed(0)} MiB`);
    const { api, url: apiUrl } = await startApi(env);
    processes.push(api);
    const worker = await startWorker(env, 'worker-1');
    processes.push(worker);
    const client = new TrainyardClient(apiUrl, { apiKey: adminKey });

    // Phase 1: the upload, until READY.
    let before = await baseline(processes);
    const started = Date.now();
    const { id: datasetId } = await uploadFile(client, zipPath, { width: String(options.inputSide), height: String(options.inputSide), split: '0.8,0.2,0' });
    const uploadSeconds = (Date.now() - started) / 1000;
    log(`uploaded in ${uploadSeconds.toFixed(1)} s; preprocessing`);
    const dataset = await client.waitForDataset(datasetId, 30 * 60_000);
    const readySeconds = (Date.now() - started) / 1000;
    const uploadPeaks = await peaks(processes, before);
    log(`dataset ${dataset.status} after ${readySeconds.toFixed(1)} s`);
    if (dataset.status !== 'READY') throw new Error(`dataset ended ${dataset.status}: ${(dataset as { error?: string }).error}`);

    const report: BigFilesReport = { uploadBytes, uploadSeconds, readySeconds, datasetStatus: dataset.status, uploadPeaks };
    if (options.run) report.run = await killAndResume(client, datasetId, options.inputSide, options.run, processes, env, log);
    return report;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await rm(zipPath, { force: true });
    await dropSchema(databaseUrl);
  }
}

/** Phase 2: a run with a big adam checkpoint, its worker killed after the first checkpoint and the run resumed by a fresh one. */
async function killAndResume(
  client: TrainyardClient,
  datasetId: string,
  inputSide: number,
  { hiddenUnits, epochs }: { hiddenUnits: number; epochs: number },
  processes: AppProcess[],
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<NonNullable<BigFilesReport['run']>> {
  const worker = processes.find((p) => p.name === 'worker-1')!;
  const before = await baseline(processes);
  const started = Date.now();
  const { id: runId } = await client.createRun({
    datasetId, layers: [{ units: hiddenUnits, activation: 'relu' }], optimizer: { name: 'adam', learningRate: 0.0001 }, batchSize: 8, epochs, seed: 1,
  });
  const first = await poll(
    () => client.request<{ storageBytes?: number; status: string }>('GET', `/runs/${runId}`),
    (run) => (run.storageBytes ?? 0) > 0 || !['QUEUED', 'RUNNING'].includes(run.status),
    60 * 60_000,
  );
  const peaks_ = (await peaks([worker], before)).map((p) => ({ ...p, process: `${p.process} (writes the checkpoint)` }));
  log(`first checkpoint stored (${((first.storageBytes ?? 0) / MIB).toFixed(0)} MiB); killing the worker`);
  await worker.kill();
  const second = await startWorker(env, 'worker-2');
  processes.push(second);
  before.set(second, await peakRssMb(second.child.pid!));
  const run = await client.waitForRun(runId, undefined, 60 * 60_000);
  peaks_.push(...(await peaks(processes, before)).map((p) => (p.process === 'worker-2' ? { ...p, process: 'worker-2 (resumes from it)' } : p)));
  log(`run ${run.status} at attempt ${run.attempt} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const parameters = (inputSide ** 2 + 1) * hiddenUnits + (hiddenUnits + 1) * 2;
  return { parameters, checkpointBytes: first.storageBytes ?? 0, status: run.status, attempt: run.attempt, seconds: (Date.now() - started) / 1000, peaks: peaks_ };
}

/** The report as lines for people. */
export function formatReport(report: BigFilesReport): string {
  const row = (p: MemoryPeak) => `  ${p.process.padEnd(34)} ${p.beforeMb.toFixed(0).padStart(6)} MiB → peak ${p.peakMb.toFixed(0).padStart(6)} MiB (+${(p.peakMb - p.beforeMb).toFixed(0)})`;
  const { run } = report;
  return [
    `upload: ${(report.uploadBytes / MIB).toFixed(0)} MiB zip, sent in ${report.uploadSeconds.toFixed(1)} s, ${report.datasetStatus} after ${report.readySeconds.toFixed(1)} s`,
    ...report.uploadPeaks.map(row),
    ...(run
      ? [
          `run: ${(run.parameters / 1e6).toFixed(1)}M parameters, adam, checkpoint ${(run.checkpointBytes / MIB).toFixed(0)} MiB; ${run.status} at attempt ${run.attempt} after ${run.seconds.toFixed(1)} s`,
          ...run.peaks.map(row),
        ]
      : []),
  ].join('\n');
}
