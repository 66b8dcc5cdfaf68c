// Training, RUNNING → SUCCEEDED through the API, beside PyTorch doing the same epochs end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { poll, type RunView, type TrainyardClient } from '#libs/client';
import type { EpochTiming } from '#libs/contracts';
import type { PixelSet } from './data.js';

export const BATCH = 256;
export const LEARNING_RATE = 0.01;
export const EPOCHS = 5;

export interface TorchEndToEnd {
  device: string;
  torch: string;
  seconds: number;
  loadSeconds: number;
  samplesPerSecond: number;
  epochs: { batches: number; validation: number; checkpoint: number }[];
}

export interface TrainResult {
  name: string;
  hidden: number[];
  parameters: number;
  trainSamples: number;
  validationSamples: number;
  run: RunView;
  /** RUNNING → SUCCEEDED of the attempt that finished, from the run's history. */
  wallSeconds: number;
  samplesPerSecond: number;
  workerId: string | null;
  torch: TorchEndToEnd | { error: string };
}

/** Weights and biases of a dense network. */
export const parametersOf = (sizes: number[]) => sizes.slice(1).reduce((sum, n, i) => sum + sizes[i]! * n + n, 0);

export async function trainyardRun(client: TrainyardClient, datasetId: string, hidden: number[], epochs: number): Promise<{ run: RunView; wallSeconds: number }> {
  const { id } = await client.createRun({
    datasetId, layers: hidden.map((units) => ({ units, activation: 'relu' })), optimizer: { name: 'sgd', learningRate: LEARNING_RATE }, batchSize: BATCH, epochs, seed: 1,
  });
  const run = await poll(() => client.getRun(id), (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status), 30 * 60_000, 100);
  if (run.status !== 'SUCCEEDED') throw new Error(`run ${id} ended ${run.status}: ${run.error}`);
  return { run, wallSeconds: runningSeconds(run) };
}

/** Seconds from the last RUNNING transition to SUCCEEDED. */
export function runningSeconds(run: RunView): number {
  const running = run.history.filter((h) => h.to === 'RUNNING').at(-1);
  const ended = run.history.find((h) => h.to === 'SUCCEEDED');
  if (!running || !ended) throw new Error(`run ${run.id} has no RUNNING → SUCCEEDED in its history`);
  return (Date.parse(ended.at) - Date.parse(running.at)) / 1000;
}

/** bench/train_torch.py --end-to-end: load from disk, epochs, validation and a checkpoint per epoch, one clock. */
export function torchEndToEnd(python: string, script: string, set: PixelSet, hidden: number[], train: number, validation: number, epochs: number): TorchEndToEnd | { error: string } {
  const checkpointDir = mkdtempSync(join(tmpdir(), 'trainyard-bench-torch-'));
  try {
    const spec = { pixels: set.pixelsPath, labels: set.labelsPath, train, validation, inputSize: set.width * set.height, hidden, classes: 10, epochs, checkpointDir };
    const result = spawnSync(python, [script, '--threads', String(availableParallelism()), '--device', 'cpu', '--batch', String(BATCH), '--lr', String(LEARNING_RATE), '--end-to-end', JSON.stringify(spec)], {
      encoding: 'utf8',
      // As in bench:train: PyTorch's OpenMP threads spin otherwise, and lose half their speed on 2 cores.
      env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env },
    });
    if (result.error || result.status !== 0) return { error: result.error?.message ?? result.stderr.trim().split('\n').at(-1) ?? 'failed' };
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as TorchEndToEnd;
  } finally {
    rmSync(checkpointDir, { recursive: true, force: true });
  }
}

/** Each epoch's recorded parts (trainspeed's EpochTiming on the metric rows), or null where they were not recorded. */
export function epochTimings(run: RunView): (EpochTiming | null)[] {
  return run.metrics.map((m) => (m as { timing?: EpochTiming | null }).timing ?? null);
}
