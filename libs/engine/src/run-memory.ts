import type { Architecture, OptimizerName } from '#libs/contracts';
import { layerShapes } from './network.js';

/** What a run needs to be sized: its network, optimizer, batch and the dataset it trains on. */
export interface RunMemoryInput {
  architecture: Architecture;
  optimizer: OptimizerName;
  batchSize: number;
  /** Samples the worker loads (train + validation, or all but test). */
  samples: number;
}

/** Bytes a training worker holds for a run, part by part, and their sum. */
export interface RunMemoryEstimate {
  parameters: number;
  gradients: number;
  optimizerState: number;
  /** Forward activations and their gradients for one batch, with the input batch itself. */
  activations: number;
  /** The dataset's bytes (batches are converted to floats as they are built). */
  dataset: number;
  /** Intermediate tensors of one optimizer step, alive until the step's tidy ends. */
  updateTemporaries: number;
  /**
   * A checkpoint's copies at once: the variables and slots read into arrays, their encoding, the message
   * the training thread posts, and its copy on the worker's main thread (on resume: the read checkpoint and the thread's copy).
   */
  checkpoints: number;
  total: number;
}

const FLOAT = 4;
/** Slots per variable that each optimizer keeps (tfjs: momentum's velocity, rmsprop's mean square and moment, adam's two moments). */
const OPTIMIZER_SLOTS: Record<OptimizerName, number> = { sgd: 0, momentum: 1, rmsprop: 2, adam: 2 };
/**
 * Tensors of a variable's size that tfjs-core 4.22's applyGradients makes and drops only when the step's
 * tidy ends (counted in its sgd, momentum, rmsprop and adam optimizers): a 100M-parameter adam run's worker
 * grew by 9.8 GiB with 1.5 GiB of parameters, gradients and moments (npm run check:bigfiles).
 */
const UPDATE_TEMPORARIES: Record<OptimizerName, number> = { sgd: 1, momentum: 2, rmsprop: 8, adam: 11 };
/** Copies of a checkpoint alive at once (see RunMemoryEstimate.checkpoints). */
const CHECKPOINT_COPIES = 4;
/** tfjs keeps a layer's pre-activation, activation and their gradients alive during backprop. */
const TENSORS_PER_ACTIVATION = 4;

/**
 * The memory a worker needs to train a run, from its shape alone: the one owner of this estimate, so the
 * API can refuse a run that would take a worker down before anything is queued.
 */
export function estimateRunMemory({ architecture, optimizer, batchSize, samples }: RunMemoryInput): RunMemoryEstimate {
  const shapes = layerShapes(architecture);
  const parameterCount = shapes.reduce((sum, s) => sum + s.inputs * s.units + (s.bias ? s.units : 0), 0);
  const parameters = parameterCount * FLOAT;
  const gradients = parameters;
  const optimizerState = parameters * OPTIMIZER_SLOTS[optimizer];
  const units = shapes.reduce((sum, s) => sum + s.units, 0);
  const activations = batchSize * (architecture.inputSize + TENSORS_PER_ACTIVATION * units) * FLOAT;
  const dataset = samples * architecture.inputSize;
  const updateTemporaries = parameters * UPDATE_TEMPORARIES[optimizer];
  const checkpoints = CHECKPOINT_COPIES * (parameters + optimizerState);
  const total = parameters + gradients + optimizerState + activations + dataset + updateTemporaries + checkpoints;
  return { parameters, gradients, optimizerState, activations, dataset, updateTemporaries, checkpoints, total };
}
