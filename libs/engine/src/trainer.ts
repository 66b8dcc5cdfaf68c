import * as tf from '@tensorflow/tfjs';
import type { Architecture, EpochMetrics, EpochTiming, OptimizerSpec, TrainingSpec } from '#libs/contracts';
import { batches, epochOrder, splitDataset, type Batch, type LabelledPixels, type Samples } from './dataset.js';
import { DivergedError } from './diverged-error.js';
import { countCorrect, createNetwork, crossEntropy, forward, initialValues, l2Penalty, lossOf, type Network } from './network.js';

type LossFn = ReturnType<typeof lossOf>;
import { createOptimizer, restoreOptimizerState, saveOptimizerState } from './optimizer.js';
import { BatchTally } from './batch-tally.js';
import { decodeWeights, encodeWeights } from './weights.js';

export interface EpochResult extends EpochMetrics {
  /** Checkpoint after this epoch: parameters, plus optimizer state for momentum, adam and rmsprop; null when `checkpointDue` skipped it. */
  weights: Uint8Array | null;
  timing: EpochTiming;
}

export interface TrainOptions {
  /** Epochs already done (0-based count); a resumed run passes its checkpoint's epoch and weights. */
  startEpoch?: number;
  initialWeights?: Uint8Array;
  /** Awaited before the next epoch starts; the wait counts as the next epoch's `storageMs`. */
  onEpoch: (result: EpochResult) => Promise<void> | void;
  /** Whether epoch (1-based) is checkpointed; the last epoch always is. Every epoch when absent. */
  checkpointDue?: (epoch: number) => boolean;
  /** Polled between batches. */
  shouldStop?: () => boolean;
  /** Validation losses of the epochs already done, so early stopping resumes with its patience intact. */
  previousValLosses?: (number | null)[];
}

export interface TrainResult {
  /** The checkpoint that matches epochsDone (not a half-trained epoch), so resuming from it is exact. */
  weights: Uint8Array;
  epochsDone: number;
  stopped: boolean;
  /** Set when early stopping ended training before spec.epochs. */
  earlyStopped?: { epoch: number; bestEpoch: number };
}

// Long epochs hand the event loop a turn this often, so a stop message or timer can be seen.
const YIELD_EVERY_MS = 200;

/** Trains on whatever tfjs backend is current (see selectBackend). */
export async function train(data: LabelledPixels, spec: TrainingSpec, architecture: Architecture, opts: TrainOptions): Promise<TrainResult> {
  checkSpec(spec, architecture);
  const startEpoch = opts.startEpoch ?? 0;
  if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch > spec.epochs) {
    throw new Error(`startEpoch must be an integer in 0..${spec.epochs}, got ${startEpoch}`);
  }
  if (startEpoch > 0 && !opts.initialWeights) throw new Error('resuming at startEpoch > 0 needs initialWeights');

  const numClasses = architecture.classes.length;
  const { train: trainSet, validation } = splitDataset(data, architecture.inputSize, numClasses, spec.validationSplit, spec.seed);
  const initial = opts.initialWeights ? decodeWeights(architecture, opts.initialWeights) : null;
  const network = createNetwork(architecture, initial?.values ?? initialValues(architecture, spec.seed));
  const optimizer = createOptimizer(spec.optimizer);
  let tally: BatchTally | undefined;
  try {
    // State saved by another optimizer (fine-tuning with a new one) does not apply.
    if (initial?.optimizerState?.optimizer === spec.optimizer.name) {
      await restoreOptimizerState(optimizer, initial.optimizerState, network.variables);
    }
    let checkpoint = opts.initialWeights ?? (await saveCheckpoint(network, optimizer, spec.optimizer));
    let checkpointEpoch = startEpoch;
    const lossFn = lossOf(spec.loss);
    const patience = new Patience(spec.earlyStopping, opts.previousValLosses ?? []);
    let lastYield = performance.now();
    // An epoch's wall time runs from the previous epoch's hand-off to its own, so the epochs' times add up.
    let epochStart = performance.now();
    let storageMs = 0;
    for (let epoch = startEpoch; epoch < spec.epochs; epoch++) {
      let stepSeconds = 0;
      let batchNumber = 0;
      tally = new BatchTally();
      // A non-finite loss is found when its batch is read, still naming that batch.
      const onBatch = (loss: number, number: number) => {
        if (!Number.isFinite(loss)) throw new DivergedError(epoch + 1, number);
      };
      for (const batch of batches(trainSet, epochOrder(trainSet.count, spec.seed, epoch), spec.batchSize, numClasses)) {
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (opts.shouldStop?.()) return { weights: checkpoint, epochsDone: checkpointEpoch, stopped: true };
        batchNumber++;
        const stepStart = performance.now();
        const result = step(network, optimizer, batch, architecture.inputSize, numClasses, lossFn, spec.optimizer.weightDecay ?? 0);
        tally.add(batchNumber, batch.size, result.loss, result.correct);
        if (tally.full) await tally.read(onBatch);
        stepSeconds += (performance.now() - stepStart) / 1000;
      }
      // The last batches' device time ends with this read: part of the steps, as each read in the loop is.
      const readStart = performance.now();
      const { lossSum, correct } = await tally.read(onBatch);
      stepSeconds += (performance.now() - readStart) / 1000;
      const validationStart = performance.now();
      const val = validation.count > 0 ? await evaluate(network, validation, spec.batchSize, numClasses, lossFn) : null;
      const validationMs = performance.now() - validationStart;
      const stopsEarly = patience.exhaustedAfter(val?.loss ?? null);
      const checkpointStart = performance.now();
      const last = stopsEarly || epoch + 1 === spec.epochs;
      const checkpointed = last || (opts.checkpointDue?.(epoch + 1) ?? true);
      if (checkpointed) {
        checkpoint = await saveCheckpoint(network, optimizer, spec.optimizer);
        checkpointEpoch = epoch + 1;
      }
      const handOff = performance.now();
      const batchesMs = stepSeconds * 1000;
      const checkpointMs = handOff - checkpointStart;
      const wallMs = handOff - epochStart;
      const result: EpochResult = {
        epoch: epoch + 1,
        loss: lossSum / trainSet.count,
        accuracy: correct / trainSet.count,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        seconds: wallMs / 1000,
        // Guarded so a tiny epoch on a coarse clock reports a number, not Infinity.
        samplesPerSecond: trainSet.count / Math.max(stepSeconds, 1e-6),
        weights: checkpointed ? checkpoint : null,
        timing: { batchesMs, validationMs, checkpointMs, storageMs, otherMs: Math.max(0, wallMs - batchesMs - validationMs - checkpointMs - storageMs) },
      };
      epochStart = handOff;
      await opts.onEpoch(result);
      storageMs = performance.now() - handOff;
      if (stopsEarly) {
        return { weights: checkpoint, epochsDone: epoch + 1, stopped: false, earlyStopped: { epoch: epoch + 1, bestEpoch: patience.bestEpoch } };
      }
    }
    return { weights: checkpoint, epochsDone: spec.epochs, stopped: false };
  } finally {
    tally?.dispose();
    network.dispose();
    optimizer.dispose();
  }
}

/** One gradient-descent step on one batch: forward, loss, backpropagation, update. Returns the batch's loss and correct count, unread. */
function step(network: Network, optimizer: tf.Optimizer, batch: Batch, inputSize: number, numClasses: number, lossFn: LossFn, weightDecay: number): { loss: tf.Scalar; correct: tf.Scalar } {
  return tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [batch.size, inputSize]);
    const y = tf.tensor2d(batch.y, [batch.size, numClasses]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    let correct: tf.Scalar | undefined;
    let dataLoss: tf.Scalar | undefined;
    const cost = optimizer.minimize(
      () => {
        const logits = forward(network, x);
        // Kept past minimize's own tidy so accuracy costs no second forward pass.
        correct = tf.keep(countCorrect(logits, labels));
        const loss = lossFn(logits, y);
        if (weightDecay === 0) return loss;
        // The reported loss leaves the penalty out, so it compares across weight-decay settings.
        dataLoss = tf.keep(loss);
        return tf.add(loss, l2Penalty(network, weightDecay));
      },
      true,
      network.variables,
    )!;
    // Kept tensors survive tidy; the unneeded one is freed here.
    if (dataLoss) cost.dispose();
    return { loss: dataLoss ?? cost, correct: correct! };
  });
}

/** Counts epochs without a validation-loss improvement; early stopping ends training when patience runs out. */
class Patience {
  private best = Infinity;
  bestEpoch = 0;
  private epoch = 0;

  constructor(
    private readonly rule: TrainingSpec['earlyStopping'],
    previous: (number | null)[],
  ) {
    previous.forEach((loss) => this.exhaustedAfter(loss));
  }

  exhaustedAfter(valLoss: number | null): boolean {
    this.epoch++;
    if (!this.rule || valLoss === null) return false;
    if (valLoss < this.best - (this.rule.minDelta ?? 0)) {
      this.best = valLoss;
      this.bestEpoch = this.epoch;
    }
    return this.epoch - this.bestEpoch >= this.rule.patience;
  }
}

// Validation batches hold about this many bytes of activations: no gradients are kept, so bigger batches only
// mean fewer matrix products, but each is held several times over (16 MB put a 784-128-10 worker past issue 8's memory bound).
const VALIDATION_BATCH_BYTES = 4 * 2 ** 20;

/** Mean loss and accuracy over a sample set, in batches, with no gradient tape; read back once at the end. */
export async function evaluate(network: Network, samples: Samples, batchSize: number, numClasses: number, lossFn: LossFn = crossEntropy): Promise<{ loss: number; accuracy: number }> {
  const tally = new BatchTally(Infinity);
  const rows = Math.max(batchSize, Math.floor(VALIDATION_BATCH_BYTES / (4 * samples.inputSize)));
  try {
    let number = 0;
    for (const batch of batches(samples, null, rows, numClasses)) {
      const [loss, right] = tf.tidy(() => {
        const x = tf.tensor2d(batch.x, [batch.size, samples.inputSize]);
        const y = tf.tensor2d(batch.y, [batch.size, numClasses]);
        const logits = forward(network, x);
        return [lossFn(logits, y), countCorrect(logits, tf.tensor1d(batch.labels, 'int32'))] as [tf.Scalar, tf.Scalar];
      });
      tally.add(++number, batch.size, loss, right);
    }
    const { lossSum, correct } = await tally.read();
    return { loss: lossSum / samples.count, accuracy: correct / samples.count };
  } finally {
    tally.dispose();
  }
}

async function saveCheckpoint(network: Network, optimizer: tf.Optimizer, spec: OptimizerSpec): Promise<Uint8Array> {
  // Asynchronous reads: the webgpu backend cannot read synchronously in Node (it would need an OffscreenCanvas).
  const values = (await Promise.all(network.variables.map((v) => v.data()))) as Float32Array[];
  return encodeWeights(values, await saveOptimizerState(optimizer, spec));
}

function checkSpec(spec: TrainingSpec, architecture: Architecture): void {
  const same =
    spec.layers.length === architecture.layers.length &&
    spec.layers.every((l, i) => l.units === architecture.layers[i]!.units && l.activation === architecture.layers[i]!.activation);
  if (!same) throw new Error('spec.layers and architecture.layers differ');
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${spec.batchSize}`);
  if (!Number.isInteger(spec.epochs) || spec.epochs < 0) throw new Error(`epochs must be a non-negative integer, got ${spec.epochs}`);
}
