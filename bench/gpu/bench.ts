// The GPU check: the engine on webgpu beside PyTorch (CUDA where it has one) in one run, on one synthetic task.
//
//   bench/gpu/build.sh                 # here: bundles this file, Node, dawn.node and the Vulkan loader into bench/gpu/bundle
//   bench/gpu/bundle/run.sh            # on the GPU machine: full sizes, writes bench/results/gpu.md (or --out FILE)
//   bench/gpu/bundle/run.sh --quick --software   # on a CPU machine: SwiftShader, shrunk sizes (labelled as such)
//
// Both sides train the same MLPs (ReLU hidden layers, softmax + cross-entropy) with SGD on the same bytes and
// labels, fp32 (TF32 off in PyTorch), and time only the training steps (the engine's samplesPerSecond; PyTorch
// reads its loss back every 32 batches, as the engine does). The median epoch after the first is reported.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Architecture, TrainingSpec } from '#libs/contracts';
import { createRng, selectBackend, train, type EpochResult, type LabelledPixels } from '#libs/engine';

interface Case {
  name: string;
  sizes: number[];
  batch: number;
  samples: number;
  epochs: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const quick = flag('quick');
const software = flag('software');
const python = option('python', 'python3');
const out = option('out', 'bench/results/gpu.md');
const here = dirname(new URL(import.meta.url).pathname);
const torchScript = option('torch-script', join(here, 'torch_gpu.py'));
// 0.05 overshot on the 16384-input nets in the SwiftShader run (loss 13.5 in epoch 1); the GPU run's many more steps need less.
const LEARNING_RATE = quick ? 0.05 : 0.01;

// Full sizes for a GPU; --quick shrinks them for SwiftShader on a CPU (the big network most: 84M parameters
// × 6 FLOPs per sample is half a TFLOP per batch of 1024, hours on a software driver).
const CASES: Case[] = quick
  ? [
      // Batch 64 so that a few hundred samples still give the task enough steps to be learned.
      { name: '784-128-10 (batch 64, 1024 samples)', sizes: [784, 128, 10], batch: 64, samples: 1024, epochs: 3 },
      { name: '16384-100-144-10 (batch 64, 256 samples)', sizes: [16384, 100, 144, 10], batch: 64, samples: 256, epochs: 3 },
      { name: '1024-256-256-10 (the large net shrunk 250× in parameters; batch 64)', sizes: [1024, 256, 256, 10], batch: 64, samples: 512, epochs: 3 },
    ]
  : [
      { name: '784-128-10', sizes: [784, 128, 10], batch: 256, samples: 32768, epochs: 5 },
      { name: '16384-100-144-10', sizes: [16384, 100, 144, 10], batch: 256, samples: 8192, epochs: 5 },
      { name: '16384-4096-4096-10', sizes: [16384, 4096, 4096, 10], batch: 1024, samples: 16384, epochs: 4 },
    ];

const params = (c: Case) => c.sizes.slice(1).reduce((sum, n, i) => sum + c.sizes[i]! * n + n, 0);
/** 2 FLOPs forward and 4 backward (dW, dX) per weight per sample, as bench/train.ts counts. */
const gflops = (c: Case, samplesPerSecond: number) => (6 * params(c) * samplesPerSecond) / 1e9;
const steady = (rates: number[]) => {
  const rest = [...(rates.length > 1 ? rates.slice(1) : rates)].sort((a, b) => a - b);
  return rest[rest.length >> 1]!;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Ten classes, each a random byte pattern; a sample is its class's pattern with 60% of pixels replaced by noise. */
function task(c: Case): LabelledPixels {
  const rng = createRng(7);
  const inputs = c.sizes[0]!;
  const classes = c.sizes.at(-1)!;
  const prototypes = Array.from({ length: classes }, () => Uint8Array.from({ length: inputs }, () => (rng() < 0.5 ? 0 : 255)));
  const pixels = new Uint8Array(c.samples * inputs);
  const labels = new Int32Array(c.samples);
  for (let n = 0; n < c.samples; n++) {
    const label = n % classes;
    labels[n] = label;
    for (let j = 0; j < inputs; j++) pixels[n * inputs + j] = rng() < 0.6 ? Math.floor(rng() * 256) : prototypes[label]![j]!;
  }
  return { pixels, labels };
}

async function engine(c: Case, data: LabelledPixels): Promise<EpochResult[]> {
  const architecture: Architecture = {
    inputSize: c.sizes[0]!,
    layers: c.sizes.slice(1, -1).map((units) => ({ units, activation: 'relu' as const })),
    classes: Array.from({ length: c.sizes.at(-1)! }, (_, i) => String(i)),
    input: { width: c.sizes[0]!, height: 1, channels: 1 },
  };
  const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: LEARNING_RATE }, batchSize: c.batch, epochs: c.epochs, seed: 1, validationSplit: 0 };
  const epochs: EpochResult[] = [];
  await train(data, spec, architecture, { onEpoch: (r) => void epochs.push(r) });
  return epochs;
}

interface TorchRun {
  rates: number[];
  losses: number[];
  accuracies: number[];
  device: string;
  versions: string;
  matmulGflops: number;
  error?: string;
}

function torch(c: Case, data: LabelledPixels, dir: string, matmul: number[]): TorchRun {
  const file = join(dir, 'data');
  writeFileSync(`${file}.u8`, data.pixels);
  writeFileSync(`${file}.labels`, Buffer.from(data.labels.buffer));
  const spec = { sizes: c.sizes, batch: c.batch, samples: c.samples, epochs: c.epochs, lr: LEARNING_RATE, data: file, matmul };
  const result = spawnSync(python, [torchScript, JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const last = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || !last) {
    return { rates: [], losses: [], accuracies: [], device: '-', versions: '-', matmulGflops: 0, error: (result.error?.message ?? result.stderr.trim().split('\n').slice(-3).join(' ')) || 'no output' };
  }
  return JSON.parse(last) as TorchRun;
}

/** Per-op cost: a chain of tiny adds, one read at the end; and a big matmul's GFLOP/s, both on the current backend. */
async function probes(matmul: number[]): Promise<{ opMicros: number; matmulGflops: number }> {
  const ops = 500;
  let x = tf.scalar(0);
  await x.data();
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const next = tf.add(x, 1) as tf.Scalar;
    x.dispose();
    x = next;
  }
  await x.data();
  const opMicros = ((performance.now() - t0) * 1000) / ops;
  x.dispose();
  const [m, k, n] = matmul as [number, number, number];
  const a = tf.randomUniform([m, k]);
  const b = tf.randomUniform([k, n]);
  const once = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await once();
  const reps = 3;
  const t1 = performance.now();
  for (let i = 0; i < reps; i++) await once();
  const seconds = (performance.now() - t1) / 1000 / reps;
  tf.dispose([a, b]);
  return { opMicros, matmulGflops: (2 * m * k * n) / seconds / 1e9 };
}

function nvidiaSmi(): string {
  const result = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'nvidia-smi: not available';
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  const info = await selectBackend('webgpu');
  if (!info.gpu && !software) throw new Error(`webgpu found ${info.device}, which is no GPU; pass --software to measure it anyway`);
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'bundled';
    }
  };
  const matmul = quick ? [256, 1024, 1024] : [4096, 4096, 4096];
  const dir = mkdtempSync(join(tmpdir(), 'trainyard-gpu-bench-'));
  const started = new Date();
  const rows: string[] = [];
  const checks: string[] = [];
  let torchInfo = { device: '-', versions: '-', matmulGflops: 0 };
  try {
    for (const c of CASES) {
      const data = task(c);
      console.log(`${c.name}: engine on webgpu…`);
      const epochs = await engine(c, data);
      console.log(`${c.name}: PyTorch…`);
      const peer = torch(c, data, dir, matmul);
      if (!peer.error) torchInfo = peer;
      const ours = steady(epochs.map((e) => e.samplesPerSecond));
      const theirs = peer.error ? NaN : steady(peer.rates);
      const last = epochs.at(-1)!;
      rows.push(
        `| ${c.name} | ${c.batch} | ${fmt(params(c))} | ${fmt(ours)} | ${fmt(gflops(c, ours), 1)} | ${peer.error ? 'failed' : fmt(theirs)} | ` +
          `${peer.error ? '-' : fmt(gflops(c, theirs), 1)} | ${peer.error ? '-' : `${fmt(ours / theirs, 2)}×`} |`,
      );
      const learned = last.accuracy > 0.9 && (peer.error || peer.accuracies.at(-1)! > 0.9);
      checks.push(
        `| ${c.name} | ${epochs.map((e) => e.loss.toFixed(3)).join(' → ')} | ${(last.accuracy * 100).toFixed(1)}% | ` +
          `${peer.error ? peer.error : peer.losses.map((l) => l.toFixed(3)).join(' → ')} | ${peer.error ? '-' : `${(peer.accuracies.at(-1)! * 100).toFixed(1)}%`} | ${learned ? 'yes' : '**NO**'} |`,
      );
    }
    const probe = await probes(matmul);
    say(`# GPU check: the engine on webgpu beside PyTorch, same run`);
    say();
    if (!info.gpu) say(`**SOFTWARE RUN on SwiftShader (a CPU Vulkan driver), shrunk sizes: these are NOT GPU figures.** They show that the check runs end to end; the H200 figures are still to be measured with \`bench/gpu/bundle/run.sh\` on the GPU machine.`);
    if (!info.gpu) say();
    say(`- when: ${started.toISOString()}; command: \`bench/gpu/bundle/run.sh ${args.join(' ')}\``.trimEnd());
    say(`- webgpu device: ${info.device} (gpu: ${info.gpu})`);
    say(`- driver (nvidia-smi): ${nvidiaSmi()}`);
    say(`- host: ${cpus()[0]?.model.trim() ?? 'cpu'}, ${cpus().length} cores; node ${process.version}; tfjs ${tf.version.tfjs}; webgpu (Dawn) ${pkg('webgpu')}`);
    say(`- PyTorch: ${torchInfo.versions} on ${torchInfo.device}, fp32 (TF32 off)`);
    say(`- work: SGD lr ${LEARNING_RATE}, ReLU hidden layers, softmax cross-entropy; GFLOP/s = 6 × parameters × samples/s; median epoch after the first`);
    say();
    say(`| network | batch | parameters | engine samples/s | engine GFLOP/s | PyTorch samples/s | PyTorch GFLOP/s | engine / PyTorch |`);
    say(`|---|---|---|---|---|---|---|---|`);
    rows.forEach((r) => say(r));
    say();
    say(`Both learn the task (ten noisy byte patterns): training loss per epoch and last epoch's accuracy.`);
    say();
    say(`| network | engine loss | engine accuracy | PyTorch loss | PyTorch accuracy | both > 90% |`);
    say(`|---|---|---|---|---|---|`);
    checks.forEach((r) => say(r));
    say();
    say(`Where the time goes on webgpu: one tiny op (a 1-element add, chained) costs ${fmt(probe.opMicros, 1)} µs; a ${matmul.join('×')} matmul runs at ` +
      `${fmt(probe.matmulGflops, 1)} GFLOP/s on webgpu against ${fmt(torchInfo.matmulGflops, 1)} GFLOP/s in PyTorch (fp32).`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, lines.join('\n') + '\n');
    console.log(`\nwrote ${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
// Dawn's instance keeps the event loop alive.
process.exit(0);
