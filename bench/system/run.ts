// The phases of bench:system, one system for all of them, and the report.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commonEnv, loadConfig } from '#libs/config';
import { graySet, photoSet } from './data.js';
import { ingest, ingestSteps, opencv, type IngestResult } from './ingest.js';
import { cpuShare, cpuSnapshot, MemoryMonitor, type CpuShare, type CpuSnapshot } from './monitor.js';
import { startBenchSystem } from './system.js';

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
  if (runShare.others > 0.1 * runShare.seconds * availableParallelism()) {
    say(`Other processes used ${fmt(runShare.others, 1)} CPU-seconds of ${fmt(runShare.seconds * availableParallelism(), 0)} available: a noisy run, read the ratios with care.`);
  }
  if (options.write) {
    const file = join(ROOT, 'bench', 'results', 'system.md');
    mkdirSync(dirname(file), { recursive: true });
    const command = `npm run bench:system${options.args.length ? ` -- ${options.args.join(' ')}` : ''}`;
    writeFileSync(file, ['# The whole system, end to end, beside its peers', '', `Recorded ${startedAt.toISOString()} with \`${command}\`.`, '', ...lines, ''].join('\n'));
    console.log(`\nwritten to ${relative(process.cwd(), file)}`);
  }
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
