// Throughput of the engine's own training loop beside tfjs's model.fit, same MLPs, data and backend, in one run.
// Run: npx tsc -p tsconfig.json && node dist/bench/train-engine.js [wasm] [cpu] [tensorflow]
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BackendPreference, TrainingSpec } from '#libs/contracts';
import { createRng, selectBackend, train, type LabelledPixels } from '#libs/engine';

interface Case {
  name: string;
  inputSize: number;
  hidden: number[];
  samples: number;
  epochs: number;
}

const CASES: Case[] = [
  { name: '784-128-10', inputSize: 784, hidden: [128], samples: 20_480, epochs: 3 },
  { name: '16384-100-144-10', inputSize: 16_384, hidden: [100, 144], samples: 2_048, epochs: 2 },
];
const BATCH = 256;

/** Random bytes and balanced labels: throughput does not depend on what the pixels say. */
function randomData(count: number, inputSize: number): LabelledPixels {
  const rng = createRng(1);
  return {
    pixels: Uint8Array.from({ length: count * inputSize }, () => Math.floor(rng() * 256)),
    labels: Int32Array.from({ length: count }, (_, i) => i % 10),
  };
}

async function engine(c: Case, data: LabelledPixels): Promise<number[]> {
  const architecture: Architecture = {
    inputSize: c.inputSize,
    layers: c.hidden.map((units) => ({ units, activation: 'relu' as const })),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    input: { width: c.inputSize, height: 1, channels: 1 },
  };
  const spec: TrainingSpec = { layers: architecture.layers, optimizer: { name: 'sgd', learningRate: 0.01 }, batchSize: BATCH, epochs: c.epochs, seed: 1, validationSplit: 0 };
  const rates: number[] = [];
  await train(data, spec, architecture, { onEpoch: (r) => void rates.push(r.samplesPerSecond) });
  return rates;
}

/** The peer DESIGN.md's table measured: tf.layers with model.fit (which shuffles with a gather each epoch). */
async function modelFit(c: Case, data: LabelledPixels): Promise<number[]> {
  const model = tf.sequential();
  c.hidden.forEach((units, i) => model.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [c.inputSize] } : {}) })));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(Float32Array.from(data.pixels, (p) => p / 255), [c.samples, c.inputSize]);
  const y = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10);
  const rates: number[] = [];
  for (let e = 0; e < c.epochs; e++) {
    const start = performance.now();
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
    rates.push(c.samples / ((performance.now() - start) / 1000));
  }
  tf.dispose([x, y]);
  model.dispose();
  return rates;
}

const requested = process.argv.slice(2) as BackendPreference[];
for (const backend of requested.length ? requested : (['wasm', 'cpu'] as const)) {
  const info = await selectBackend(backend);
  for (const c of CASES) {
    const data = randomData(c.samples, c.inputSize);
    for (const [loop, run] of [['own loop', engine], ['model.fit', modelFit]] as const) {
      const rates = await run(c, data);
      // The first epoch pays for warm-up (allocation, kernel set-up): report the best of the rest.
      const best = Math.round(Math.max(...rates.slice(1)));
      console.log(`${info.name.padEnd(10)} ${info.device.padEnd(16)} ${c.name.padEnd(17)} ${loop.padEnd(9)} ${String(best).padStart(7)} samples/s  (per epoch: ${rates.map(Math.round).join(', ')})`);
    }
  }
}
