// Training throughput of the project's own engine on every backend that loads, beside PyTorch, in one run.
//
//   npm run bench:train                       # all backends that load, PyTorch on the CPU (and CUDA where it has one)
//   npm run bench:train -- cpu-blas wasm      # only these backends
//   npm run bench:train -- --record           # also write bench/results/train.md
//   npm run bench:train -- --quick            # fewer epochs, for a smoke test
//
// Both sides train the same MLPs (ReLU hidden layers, softmax + cross-entropy output) with SGD (lr 0.01),
// batch 256, on random pixels with balanced labels; both time only the training steps of an epoch
// (forward, loss, backward, update, reading loss and accuracy back each batch) and report the median
// epoch after warm-up. PyTorch runs under Debian's /usr/bin/python3 (python3-torch).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Architecture, BackendPreference, TrainingSpec } from '#libs/contracts';
import { blasThreads, createRng, selectBackend, train, type LabelledPixels } from '#libs/engine';

interface Case {
  name: string;
  inputSize: number;
  hidden: number[];
  classes: number;
  samples: number;
  /** Epochs on the fast backends (the first is warm-up); slow ones (plain cpu, wasm) run `slowEpochs`. */
  epochs: number;
  slowEpochs: number;
}

const quick = process.argv.includes('--quick');
const record = process.argv.includes('--record');
const CASES: Case[] = [
  { name: '784-128-10', inputSize: 784, hidden: [128], classes: 10, samples: 16_384, epochs: quick ? 2 : 10, slowEpochs: 2 },
  { name: '16384-100-144-10', inputSize: 16_384, hidden: [100, 144], classes: 10, samples: 4_096, epochs: quick ? 2 : 6, slowEpochs: 2 },
];
const BATCH = 256;
const LEARNING_RATE = 0.01;
const THREADS = availableParallelism();
// Fastest first. 'webgpu' runs only once contracts list it (selectBackend knows what contracts know).
const BACKENDS: BackendPreference[] = ['tensorflow', 'webgpu', 'cpu-blas', 'wasm', 'cpu'];
const SLOW = new Set(['wasm', 'cpu']);

const root = findRoot();
const PYTHON = process.env.TRAINYARD_BENCH_PYTHON ?? '/usr/bin/python3';
const TORCH_SCRIPT = join(root, 'bench', 'train_torch.py');

interface Row {
  net: Case;
  impl: string;
  device: string;
  threads: string;
  rates: number[];
  /** Compared with PyTorch on the same kind of device. */
  gpu: boolean;
}

/** Weights and biases: 6 FLOPs per parameter per sample, 2 forward (multiply-add) and 4 backward (dW and dX). */
const params = (c: Case): number => [c.inputSize, ...c.hidden, c.classes].reduce((sum, n, i, all) => (i === 0 ? 0 : sum + all[i - 1]! * n + n), 0);
const gflops = (c: Case, samplesPerSecond: number): number => (6 * params(c) * samplesPerSecond) / 1e9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
/** Warm-up (JIT, first allocations) is left out: the first epoch, and the second where there are five or more. */
const steady = (rates: number[]): number => median(rates.slice(rates.length >= 5 ? 2 : rates.length > 1 ? 1 : 0));

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bench', 'train_torch.py'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find bench/train_torch.py above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** Random bytes and balanced labels: throughput does not depend on what the pixels say. */
function randomData(c: Case): LabelledPixels {
  const rng = createRng(1);
  return {
    pixels: Uint8Array.from({ length: c.samples * c.inputSize }, () => Math.floor(rng() * 256)),
    labels: Int32Array.from({ length: c.samples }, (_, i) => i % c.classes),
  };
}

async function engine(c: Case, data: LabelledPixels, epochs: number): Promise<number[]> {
  const architecture: Architecture = {
    inputSize: c.inputSize,
    layers: c.hidden.map((units) => ({ units, activation: 'relu' as const })),
    classes: Array.from({ length: c.classes }, (_, i) => String(i)),
    input: { width: c.inputSize, height: 1, channels: 1 },
  };
  const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: LEARNING_RATE }, batchSize: BATCH, epochs, seed: 1, validationSplit: 0 };
  const rates: number[] = [];
  await train(data, spec, architecture, { onEpoch: (r) => void rates.push(r.samplesPerSecond) });
  return rates;
}

interface TorchResult {
  name: string;
  device: string;
  torch: string;
  rates: number[];
}

let torchProblem: string | null = null;

/** Runs the Python peer on one network; null (with the reason printed) where Python or PyTorch is missing. */
function pytorch(device: 'cpu' | 'cuda', c: Case): TorchResult | null {
  const cases = [{ name: c.name, inputSize: c.inputSize, hidden: c.hidden, classes: c.classes, samples: c.samples, epochs: c.epochs }];
  const result = spawnSync(PYTHON, [TORCH_SCRIPT, '--threads', String(THREADS), '--device', device, '--batch', String(BATCH), '--lr', String(LEARNING_RATE), '--cases', JSON.stringify(cases)], {
    encoding: 'utf8',
    // Without it, PyTorch's OpenMP threads spin while OpenBLAS's run, and on 2 cores PyTorch loses about half its speed:
    // the peer is measured at its best.
    env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env },
  });
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split('\n').slice(-1)[0];
    if (device === 'cpu') torchProblem = why ?? 'unknown error';
    return null;
  }
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  return lines.length ? (JSON.parse(lines[lines.length - 1]!) as TorchResult) : null;
}

function hasCuda(): boolean {
  const result = spawnSync(PYTHON, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { encoding: 'utf8' });
  return result.status === 0;
}

/**
 * CPU-seconds the whole machine and this process (with its finished children, the PyTorch runs) have used:
 * the difference over the run is what other processes took from it. Linux only; null elsewhere.
 */
function cpuSeconds(): { machine: number; own: number } | null {
  try {
    // USER_HZ is 100 on Linux.
    const [user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 4).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const [utime, stime, cutime, cstime] = self.slice(self.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
    return { machine: (user! + nice! + system!) / 100, own: (utime! + stime! + cutime! + cstime!) / 100 };
  } catch {
    return null;
  }
}

function format(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('--')) as BackendPreference[];
  const backends = requested.length ? requested : BACKENDS;
  const started = new Date();
  // The log (set-up and every epoch's rate) and the result (table and notes) go to the console and, with --record, to the file.
  let lines: string[] = [];
  const log: string[] = lines;
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };

  say(`machine: ${cpus()[0]?.model.trim() ?? 'cpu'}, ${THREADS} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}`);
  say(
    `threads: PyTorch torch.set_num_threads(${THREADS}) (OMP_WAIT_POLICY=PASSIVE); cpu-blas: matrix products on ${blasThreads()} threads ` +
      '(the addon splits each into chunks for single-threaded OpenBLAS calls), elementwise kernels and tfjs on the JS thread; wasm and cpu: 1 thread',
  );
  say(
    `work: SGD lr ${LEARNING_RATE}, batch ${BATCH}; GFLOP/s = 6 × parameters × samples/s (2 forward + 4 backward per weight; ` +
      'neither side computes the input layer\'s dX, so both are over-counted alike)',
  );
  say();

  // Which backends load (selectBackend makes each current in turn; it is selected again before each run).
  const available: { backend: BackendPreference; device: string }[] = [];
  for (const backend of backends) {
    try {
      const info = await selectBackend(backend);
      if (info.name === backend) available.push({ backend, device: info.device });
    } catch (error) {
      const why = (error as Error).message.split('\n')[0]!;
      say(`${backend}: not available (${why.length > 160 ? `${why.slice(0, 157)}...` : why})`);
    }
  }
  const fast = available.filter((a) => !SLOW.has(a.backend));
  const slow = available.filter((a) => SLOW.has(a.backend));

  const cpuAtStart = cpuSeconds();
  const wallAtStart = performance.now();
  const rows: Row[] = [];
  const reference = new Map<string, { cpu?: TorchResult; cuda?: TorchResult }>();
  let torchMissing = false;
  const rateLine = (label: string, rates: number[]) => say(`  ${label}: ${rates.map((r) => format(r)).join(', ')} samples/s per epoch`);
  const better = <T extends { rates: number[] }>(runs: (T | null | undefined)[]): T | undefined =>
    runs.filter((r): r is T => Boolean(r)).sort((a, b) => steady(b.rates) - steady(a.rates))[0];

  for (const c of CASES) {
    const data = randomData(c);
    // Two rounds, PyTorch then the engine, then the engine then PyTorch; each side keeps its better round.
    // Load from other processes only ever slows a run, and this way it cannot favour one side.
    const torchRuns: (TorchResult | null)[] = [];
    const engineRuns = new Map<BackendPreference, number[][]>();
    const runEngine = async (backend: BackendPreference, round: number) => {
      await selectBackend(backend);
      const rates = await engine(c, data, c.epochs);
      rateLine(`engine ${backend} ${c.name} (round ${round})`, rates);
      engineRuns.set(backend, [...(engineRuns.get(backend) ?? []), rates]);
    };
    const runTorch = (round: number) => {
      if (torchMissing) return;
      const run = pytorch('cpu', c);
      if (!run) torchMissing = true;
      else rateLine(`PyTorch ${run.device} ${c.name} (round ${round})`, run.rates);
      torchRuns.push(run);
    };
    runTorch(1);
    for (const { backend } of fast) await runEngine(backend, 1);
    for (const { backend } of fast) await runEngine(backend, 2);
    runTorch(2);
    for (const { backend, device } of slow) {
      await selectBackend(backend);
      const rates = await engine(c, data, c.slowEpochs);
      rateLine(`engine ${backend} ${c.name}`, rates);
      rows.push({ net: c, impl: `engine, ${backend}`, device, threads: '1', rates, gpu: false });
    }
    for (const { backend, device } of fast) {
      const best = better((engineRuns.get(backend) ?? []).map((rates) => ({ rates })))!;
      const threads = backend === 'cpu-blas' ? `${blasThreads()} (BLAS)` : backend === 'tensorflow' ? '-' : '1';
      rows.push({ net: c, impl: `engine, ${backend}`, device, threads, rates: best.rates, gpu: /cuda|gpu/i.test(device) });
    }
    const cpu = better(torchRuns);
    const cuda = cpu && hasCuda() ? pytorch('cuda', c) : null;
    if (cuda) rateLine(`PyTorch ${cuda.device} ${c.name}`, cuda.rates);
    reference.set(c.name, { cpu, cuda: cuda ?? undefined });
    if (cpu) rows.push({ net: c, impl: `PyTorch ${cpu.torch}`, device: cpu.device, threads: String(THREADS), rates: cpu.rates, gpu: false });
    if (cuda) rows.push({ net: c, impl: `PyTorch ${cuda.torch}`, device: cuda.device, threads: '-', rates: cuda.rates, gpu: true });
  }
  const cpuAtEnd = cpuSeconds();
  const wallSeconds = (performance.now() - wallAtStart) / 1000;
  say();

  const result: string[] = (lines = []);
  const order = [...fast, ...slow].map((a) => `engine, ${a.backend}`);
  const rank = (row: Row) => (order.includes(row.impl) ? order.indexOf(row.impl) : order.length);
  say('| network | implementation | device | threads | samples/s | GFLOP/s | × PyTorch |');
  say('|---|---|---|---|---:|---:|---:|');
  for (const c of CASES) {
    for (const row of rows.filter((r) => r.net === c).sort((a, b) => rank(a) - rank(b))) {
      const rate = steady(row.rates);
      const peer = reference.get(c.name)?.[row.gpu ? 'cuda' : 'cpu'];
      const ratio = peer ? `${(rate / steady(peer.rates)).toFixed(2)}×` : '—';
      say(`| ${c.name} (${format(c.samples)} samples) | ${row.impl} | ${row.device} | ${row.threads} | ${format(rate)} | ${format(gflops(c, rate), 1)} | ${ratio} |`);
    }
  }
  say();
  say(
    '- samples/s: median over the epochs after warm-up (the first two of 5 or more, else the first); PyTorch and the fast ' +
      'backends ran twice per network, interleaved (PyTorch, engine, engine, PyTorch), and each shows its better run.',
  );
  if (torchMissing) {
    say(`- PyTorch: not run (${torchProblem}), so no ratios.`);
    say('  Install it: apt-get install -y python3-torch libopenblas0-pthread   (Debian; or set TRAINYARD_BENCH_PYTHON to a python with torch)');
  }
  if (cpuAtStart && cpuAtEnd) {
    const others = cpuAtEnd.machine - cpuAtStart.machine - (cpuAtEnd.own - cpuAtStart.own);
    say(`- other processes on the machine used ${format(Math.max(0, others), 1)} CPU-seconds during the ${format(wallSeconds)} s of measurements (${THREADS} cores).`);
  }

  if (record) {
    const file = join(root, 'bench', 'results', 'train.md');
    mkdirSync(dirname(file), { recursive: true });
    const args = process.argv.slice(2).join(' ');
    const body = [
      '# Training throughput: the engine beside PyTorch',
      '',
      `Recorded ${started.toISOString()} with:`,
      '',
      '```',
      args ? `npm run bench:train -- ${args}` : 'npm run bench:train',
      '```',
      '',
      ...result,
      '',
      '## Log',
      '',
      '```text',
      ...log.filter((line, i) => line !== '' || i < log.length - 1),
      '```',
      '',
    ].join('\n');
    writeFileSync(file, body);
    console.log(`\nwritten to ${relative(process.cwd(), file)}`);
  }
}

await main();
