// The phases of bench:system, one system for all of them, and the report.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commonEnv, loadConfig } from '#libs/config';
import { graySet, photoSet, type PixelSet } from './data.js';
import { ingest, ingestSteps, opencv, type IngestResult } from './ingest.js';
import { cpuShare, cpuSnapshot, MemoryMonitor, type CpuShare, type CpuSnapshot, type PhaseMemory } from './monitor.js';
import { mean, percentile, queueBench, type QueueResult } from './queue.js';
import { startBenchSystem, type BenchSystem } from './system.js';
import { BATCH, EPOCHS, epochTimings, parametersOf, torchEndToEnd, trainyardRun, type TrainResult } from './training.js';

export interface BenchOptions {
  quick: boolean;
  write: boolean;
  phases: Set<string>;
  args: string[];
}

const PYTHON = '/usr/bin/python3';
const ROOT = findRoot();

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bench', 'train_torch.py'))) {
    if (dirname(dir) === dir) throw new Error('cannot find bench/ above ' + fileURLToPath(import.meta.url));
    dir = dirname(dir);
  }
  return dir;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

export async function runSystemBench(options: BenchOptions): Promise<void> {
  const { DATABASE_URL, REDIS_URL } = loadConfig(z.object({ DATABASE_URL: commonEnv.DATABASE_URL, REDIS_URL: commonEnv.REDIS_URL }));
  const startedAt = new Date();
  const lines: string[] = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  const targets: { what: string; value: string; peer: string; ratio: string; target: string; met: boolean | null }[] = [];
  const cpuByPhase: { phase: string; share: CpuShare }[] = [];

  say(`machine: ${cpus()[0]?.model.trim() ?? '?'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`mode: ${options.quick ? 'quick (smaller sets, fewer runs)' : 'full'}; phases: ${[...options.phases].join(', ')}`);

  // Data first, outside every timed phase (cached in the temp folder after the first run).
  const photos = options.phases.has('ingest') ? await photoSet(1000) : null;
  const mnist = options.phases.has('ingest') || options.phases.has('train') ? await graySet(options.quick ? 6_000 : 60_000, 28) : null;
  const big = options.phases.has('train') ? await graySet(options.quick ? 1_000 : 4_096, 128) : null;
  const tiny = options.phases.has('queue') ? await graySet(300, 8) : null;
  const uploaded = new Map<string, string>();
  /** A data set uploaded as set-up, outside the timed phases (or the ingest phase's own upload). */
  const datasetOf = async (system: BenchSystem, set: PixelSet) => {
    if (!uploaded.has(set.name)) uploaded.set(set.name, (await ingest(system.client, set, { width: set.width, height: set.height })).datasetId);
    return uploaded.get(set.name)!;
  };

  const system = await startBenchSystem({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, workers: 2, env: { TRAIN_BACKEND: 'auto' } });
  const watched = () => [system.api, ...system.workers].filter((p) => p.running).map((p) => ({ name: p.name, pid: p.child.pid! }));
  const ours = () => new Set(watched().map((w) => w.pid));
  const memory = new MemoryMonitor(watched);
  const runStart = cpuSnapshot();
  let phaseStart: CpuSnapshot = runStart;
  const begin = (phase: string) => {
    memory.begin(phase);
    phaseStart = cpuSnapshot();
  };
  const end = (phase: string) => {
    memory.end();
    cpuByPhase.push({ phase, share: cpuShare(phaseStart, cpuSnapshot(), ours()) });
  };
  try {
    say(`system: API + ${system.workers.length} workers (built entry points: dist/apps/api/src/main.js, dist/apps/worker/src/main.js) on a private schema and queue prefix`);
    say();
    if (options.phases.has('ingest')) {
      say('## Ingest: upload → READY');
      say();
      const cases = [
        { set: photos!, spec: { width: 128, height: 128 }, label: '1,000 photo-like 640×480 JPEGs → 128×128 gray' },
        { set: mnist!, spec: { width: 28, height: 28 }, label: `${fmt(mnist!.files.length)} 28×28 gray PNGs (MNIST-sized) → 28×28` },
      ];
      for (const c of cases) {
        begin(`ingest ${c.set.name}`);
        const ours_ = await ingest(system.client, c.set, c.spec);
        end(`ingest ${c.set.name}`);
        uploaded.set(c.set.name, ours_.datasetId);
        const peer = await opencv(PYTHON, join(ROOT, 'bench', 'preprocess_opencv.py'), c.set, c.spec);
        const result: IngestResult = { ...ours_, opencv: peer };
        reportIngest(say, c.label, result);
        const rate = result.images / result.wallSeconds;
        targets.push({
          what: `ingest: ${c.label}`, value: `${fmt(rate)} img/s`, peer: `OpenCV ${peer.version}: ${fmt(peer.imagesPerSecond)} img/s`,
          ratio: `${(rate / peer.imagesPerSecond).toFixed(2)}×`, target: '≥ 2×', met: rate / peer.imagesPerSecond >= 2,
        });
      }
    }
    if (options.phases.has('train')) {
      say('## Training: RUNNING → SUCCEEDED, 5 epochs, SGD, batch 256');
      say();
      const cases = [
        { name: '784-128-10', set: mnist!, hidden: [128] },
        { name: '16384-100-144-10', set: big!, hidden: [100, 144] },
      ];
      for (const c of cases) {
        const datasetId = await datasetOf(system, c.set);
        const dataset = await system.client.getDataset(datasetId);
        const train = dataset.counts!.perSplit.train;
        const validation = dataset.counts!.perSplit.validation;
        begin(`train ${c.name}`);
        const { run, wallSeconds } = await trainyardRun(system.client, datasetId, c.hidden, EPOCHS);
        const phaseMemory = memory.end()!;
        cpuByPhase.push({ phase: `train ${c.name}`, share: cpuShare(phaseStart, cpuSnapshot(), ours()) });
        const torch = torchEndToEnd(PYTHON, join(ROOT, 'bench', 'train_torch.py'), c.set, c.hidden, train, validation, EPOCHS);
        const inputSize = c.set.width * c.set.height;
        const result: TrainResult = {
          name: c.name, hidden: c.hidden, parameters: parametersOf([inputSize, ...c.hidden, 10]), trainSamples: train, validationSamples: validation,
          run, wallSeconds, samplesPerSecond: (train * EPOCHS) / wallSeconds, workerId: run.workerId, torch,
        };
        reportTraining(say, result);
        const peerRate = 'error' in torch ? null : torch.samplesPerSecond;
        targets.push({
          what: `train ${c.name}, RUNNING → SUCCEEDED`, value: `${fmt(result.samplesPerSecond)} samples/s`,
          peer: peerRate ? `PyTorch ${'torch' in torch ? torch.torch : ''}, end to end: ${fmt(peerRate)} samples/s` : `PyTorch: ${'error' in torch ? torch.error : ''}`,
          ratio: peerRate ? `${(result.samplesPerSecond / peerRate).toFixed(2)}×` : '—', target: '≥ 0.8×', met: peerRate ? result.samplesPerSecond / peerRate >= 0.8 : null,
        });
        const bound = memoryBound(system, phaseMemory, result, inputSize * (train + validation + dataset.counts!.perSplit.test));
        if (bound) {
          say(bound.line);
          say();
          targets.push({ what: `worker memory, train ${c.name}`, value: `+${fmt(bound.growthMb)} MiB over its idle ${fmt(bound.baseMb)} MiB`, peer: '—', ratio: `${(bound.growthMb / bound.limitMb).toFixed(2)} of the bound`, target: `≤ 1.5 × (data + 4 × weights) = ${fmt(bound.limitMb)} MiB`, met: bound.growthMb <= bound.limitMb });
        }
      }
    }
    if (options.phases.has('queue')) {
      const count = options.quick ? 100 : 500;
      say(`## Queue: ${count} one-epoch runs of 64-8-10 submitted at once, ${system.workers.length} workers`);
      say();
      const datasetId = await datasetOf(system, tiny!);
      begin('queue');
      const q = await queueBench(system.client, datasetId, count);
      end('queue');
      reportQueue(say, q);
      const overhead = mean(q.inRunOverheadMs) + mean(q.handOffMs);
      targets.push({ what: `queue: overhead per job (${count} runs)`, value: `${fmt(overhead)} ms`, peer: '—', ratio: '—', target: '≤ 50 ms', met: overhead <= 50 });
      targets.push({ what: `queue: submit latency p95, ${count} in flight`, value: `${fmt(percentile(q.submitMs, 95))} ms`, peer: '—', ratio: '—', target: '≤ 100 ms', met: percentile(q.submitMs, 95) <= 100 && q.refused.size === 0 });
    }
  } finally {
    memory.end();
    await system.stop();
  }
  const runShare = cpuShare(runStart, cpuSnapshot(), new Set());

  say('## Memory: peak resident MiB per process and phase');
  say();
  say(`| phase | ${watchedNames(memory)} |`);
  say(`|---|${watchedNames(memory).split(' | ').map(() => '---:').join('|')}|`);
  for (const p of memory.all()) say(`| ${p.phase} | ${p.peaks.map((x) => `${fmt(x.peakMb)} (from ${fmt(x.startMb)})`).join(' | ')} |`);
  say();
  say('## CPU: who used the 2 cores during each phase (CPU-seconds)');
  say();
  say('| phase | wall s | ours (API, workers, bench) | Postgres | Redis | other processes |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const { phase, share } of cpuByPhase) say(`| ${phase} | ${fmt(share.seconds, 1)} | ${fmt(share.ours, 1)} | ${fmt(share.postgres, 1)} | ${fmt(share.redis, 1)} | ${fmt(share.others, 1)} |`);
  say(`| whole run (ours includes the peers) | ${fmt(runShare.seconds, 1)} | ${fmt(runShare.ours, 1)} | ${fmt(runShare.postgres, 1)} | ${fmt(runShare.redis, 1)} | ${fmt(runShare.others, 1)} |`);
  say();
  say('## Against the targets (issue 8)');
  say();
  say('| what | Trainyard | peer, same run | ratio | target | met |');
  say('|---|---|---|---:|---|---|');
  for (const t of targets) say(`| ${t.what} | ${t.value} | ${t.peer} | ${t.ratio} | ${t.target} | ${t.met === null ? '—' : t.met ? 'yes' : 'no'} |`);
  say();
  const noisy = runShare.others > 0.1 * runShare.seconds * availableParallelism();
  const noise = `Other processes used ${fmt(runShare.others, 1)} CPU-seconds of the ${fmt(runShare.seconds * availableParallelism(), 0)} the machine had during the run`;
  say(noisy ? `${noise}: a noisy run, read the ratios with care (where the time goes still holds).` : `${noise}: a quiet run.`);
  if (options.write) {
    const file = join(ROOT, 'bench', 'results', 'system.md');
    mkdirSync(dirname(file), { recursive: true });
    const command = `npm run bench:system${options.args.length ? ` -- ${options.args.join(' ')}` : ''}`;
    writeFileSync(file, ['# The whole system, end to end, beside its peers', '', `Recorded ${startedAt.toISOString()} with \`${command}\`.`, '', ...(noisy ? [`**A loaded run, not the figures of record**: ${noise[0]!.toLowerCase()}${noise.slice(1)}.`, ''] : []), ...lines, ''].join('\n'));
    console.log(`\nwritten to ${relative(process.cwd(), file)}`);
  }
}

/** The issue's bound on a training worker: growth over its idle size within 1.5 × (dataset bytes + 4 × weights and sgd's (no) state). */
function memoryBound(system: BenchSystem, phase: PhaseMemory, r: TrainResult, datasetBytes: number) {
  const worker = system.workers.find((w) => r.workerId?.includes(`-${w.child.pid}-`));
  const peak = phase.peaks.find((p) => p.name === worker?.name);
  if (!peak) return null;
  const limitMb = (1.5 * (datasetBytes + 4 * r.parameters * 4)) / 2 ** 20;
  const growthMb = peak.peakMb - peak.startMb;
  return {
    baseMb: peak.startMb, growthMb, limitMb,
    line: `Memory: ${peak.name} (the run's worker) from ${fmt(peak.startMb)} MiB idle (the fixed base: Node, Nest, tfjs and the warm training thread) to a peak of ${fmt(peak.peakMb)} MiB: +${fmt(growthMb)} MiB against a bound of 1.5 × (${fmt(datasetBytes / 2 ** 20, 1)} MiB of samples + 4 × ${fmt((r.parameters * 4) / 2 ** 20, 1)} MiB of weights) = ${fmt(limitMb)} MiB.`,
  };
}

function reportTraining(say: (line?: string) => void, r: TrainResult): void {
  say(`### ${r.name}: ${fmt(r.parameters)} parameters, ${fmt(r.trainSamples)} training and ${fmt(r.validationSamples)} validation samples, ${EPOCHS} epochs, batch ${BATCH}`);
  say();
  const epochSeconds = r.run.metrics.reduce((sum, m) => sum + m.seconds, 0);
  say(`Trainyard (${r.run.backend ?? '?'}): RUNNING → SUCCEEDED ${fmt(r.wallSeconds, 2)} s → **${fmt(r.samplesPerSecond)} samples/s** (the epochs' own samples/s in training steps: ${r.run.metrics.map((m) => fmt(m.samplesPerSecond)).join(', ')})`);
  if ('error' in r.torch) say(`PyTorch: not run (${r.torch.error})`);
  else {
    say(`PyTorch ${r.torch.torch} (${r.torch.device}), the same epochs end to end (load from disk, train, validate, torch.save + fsync per epoch): ${fmt(r.torch.seconds, 2)} s → **${fmt(r.torch.samplesPerSecond)} samples/s** → ratio ${(r.samplesPerSecond / r.torch.samplesPerSecond).toFixed(2)}×`);
  }
  say();
  const timings = epochTimings(r.run);
  say('| epoch | Trainyard s | batches | validation | checkpoint | storage | other | PyTorch s | batches | validation | checkpoint |');
  say('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const ms = (x: number | undefined) => (x === undefined ? 'not recorded' : fmt(x / 1000, 3));
  r.run.metrics.forEach((m, i) => {
    const t = timings[i];
    const p = 'error' in r.torch ? undefined : r.torch.epochs[i];
    const peer = p ? `${fmt(p.batches + p.validation + p.checkpoint, 3)} | ${fmt(p.batches, 3)} | ${fmt(p.validation, 3)} | ${fmt(p.checkpoint, 3)}` : '— | — | — | —';
    say(`| ${m.epoch} | ${fmt(m.seconds, 3)} | ${ms(t?.batchesMs)} | ${ms(t?.validationMs)} | ${ms(t?.checkpointMs)} | ${ms(t?.storageMs)} | ${ms(t?.otherMs)} | ${peer} |`);
  });
  const peerLoad = 'error' in r.torch ? '—' : fmt(r.torch.loadSeconds, 3);
  say(`| outside the epochs | ${fmt(r.wallSeconds - epochSeconds, 3)} | | | | | | ${peerLoad} (load) | | | |`);
  say();
  say('Outside the epochs, for Trainyard: loading the samples from Postgres and building the network before the first epoch, and after the last the model version, the test-split evaluation and SUCCEEDED.');
  say();
}

function reportQueue(say: (line?: string) => void, q: QueueResult): void {
  const ms = (x: number) => `${fmt(x)} ms`;
  say(`${q.runs} runs: submitted and finished in ${fmt(q.wallSeconds, 1)} s → **${fmt(q.runs / q.wallSeconds, 1)} runs/s**${q.failed ? ` (${q.failed} did not succeed)` : ''}`);
  for (const [message, n] of q.refused) say(`**${n} of the ${q.runs} submissions sent at once were refused** (then sent again, 8 at a time): ${message}`);
  say(`submit latency of those answered 202 while all ${q.runs} were in flight: p50 ${ms(percentile(q.submitMs, 50))}, p95 ${ms(percentile(q.submitMs, 95))}, max ${ms(Math.max(...q.submitMs))}`);
  say(`per job: training (its epoch's seconds) mean ${ms(mean(q.trainingMs))}; RUNNING → SUCCEEDED beyond it mean ${ms(mean(q.inRunOverheadMs))} (p95 ${ms(percentile(q.inRunOverheadMs, 95))}); a worker's hand-off from one run's SUCCEEDED to its next RUNNING mean ${ms(mean(q.handOffMs))} (p95 ${ms(percentile(q.handOffMs, 95))})`);
  say(`overhead per job (beyond-training + hand-off): **${ms(mean(q.inRunOverheadMs) + mean(q.handOffMs))}**; QUEUED → RUNNING (mostly waiting behind the others) p50 ${ms(percentile(q.queuedMs, 50))}`);
  say();
}

function watchedNames(memory: MemoryMonitor): string {
  return (memory.all()[0]?.peaks ?? []).map((p) => p.name).join(' | ');
}

function reportIngest(say: (line?: string) => void, label: string, r: IngestResult): void {
  const rate = r.images / r.wallSeconds;
  say(`### ${label}`);
  say();
  say(`Trainyard: ${fmt(r.images)} images READY ${fmt(r.wallSeconds, 2)} s after the upload began (the request itself took ${fmt(r.requestSeconds, 2)} s): **${fmt(rate)} images/s**`);
  if (r.opencv) say(`OpenCV ${r.opencv.version} (one Python process, files from disk): **${fmt(r.opencv.imagesPerSecond)} images/s** → ratio ${(rate / r.opencv.imagesPerSecond).toFixed(2)}×`);
  say();
  say('| step | seconds | share |');
  say('|---|---:|---:|');
  for (const s of ingestSteps(r)) say(`| ${s.name} | ${fmt(s.seconds, 3)} | ${pct(s.seconds, r.wallSeconds)} |`);
  say(`| **upload → READY** | **${fmt(r.wallSeconds, 3)}** | 100% |`);
  const c = r.timing?.chunks;
  if (c) {
    say();
    say(`Per worker (chunk jobs of this upload): ${c.perWorker.map((w) => `${w.workerId}: ${w.chunks} chunk(s), ${fmt(w.images)} images in ${fmt(w.seconds, 2)} s busy = ${fmt(w.images / w.seconds)} images/s`).join('; ')}.`);
    say(`Inside chunks, summed over images running ${'several'} at once: read ${fmt(c.images.readSeconds, 2)} s, hash ${fmt(c.images.hashSeconds, 2)} s, decode ${fmt(c.images.decodeSeconds, 2)} s.`);
  }
  say();
}
