import { z } from 'zod';

/** Activations a hidden layer may use; the output layer is always a softmax over the classes. */
export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'linear', 'leakyRelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Append only: a checkpoint stores its optimizer as an index into this list. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Glorot-uniform keeps the variance of symmetric activations steady, He-uniform that of ReLUs. */
export const INITIALIZERS = ['glorot', 'he'] as const;
export type Initializer = (typeof INITIALIZERS)[number];

export const LOSSES = ['crossEntropy', 'mse'] as const;
export type Loss = (typeof LOSSES)[number];

export const LayerSpecSchema = z.strictObject({
  units: z.number().int().positive().max(65_536),
  activation: z.enum(ACTIVATIONS),
  /** Whether the layer adds a bias vector b; absent means yes. */
  bias: z.boolean().optional(),
  /** Absent: He for relu and leakyRelu, Glorot otherwise. */
  init: z.enum(INITIALIZERS).optional(),
});
export type LayerSpec = z.infer<typeof LayerSpecSchema>;

export const OptimizerSpecSchema = z.strictObject({
  name: z.enum(OPTIMIZERS),
  // No upper bound: a rate too large to train is caught as divergence, naming the epoch and batch.
  learningRate: z.number().positive(),
  /** L2 penalty (weightDecay / 2)·ΣW² on the weight matrices, not the biases; 0 by default. */
  weightDecay: z.number().min(0).max(1).optional(),
});
export type OptimizerSpec = z.infer<typeof OptimizerSpecSchema>;

export const EarlyStoppingSchema = z.strictObject({
  /** Epochs without a validation-loss improvement of more than minDelta before training stops. */
  patience: z.number().int().positive().max(10_000),
  minDelta: z.number().min(0).optional(),
});
export type EarlyStopping = z.infer<typeof EarlyStoppingSchema>;

/** Everything the trainer needs besides the data: what POST /runs accepts, minus the dataset. */
export interface TrainingSpec {
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Used when the data carries no split of its own. */
  validationSplit: number;
  /** Absent means crossEntropy. */
  loss?: Loss;
  earlyStopping?: EarlyStopping | null;
}

/** The shape of a trained network, stored beside its weights so they can be read back. */
export interface Architecture {
  inputSize: number;
  layers: LayerSpec[];
  /** Whether the softmax output layer has a bias; absent means yes. */
  outputBias?: boolean;
  /** Class names in label order; the output layer has one softmax unit per class. */
  classes: string[];
  input: { width: number; height: number; channels: 1 | 3 };
  /** The dataset's preprocessing spec, so an input is turned into activations exactly as in training. */
  preprocess?: Record<string, unknown>;
}

/**
 * Compute backends an operator may force; 'auto' takes a real GPU first (tfjs-node-gpu where the NVIDIA driver
 * shows one, then a hardware webgpu adapter, never a software one), then tfjs-node, cpu-blas, wasm, cpu.
 */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'webgpu', 'cpu-blas', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
