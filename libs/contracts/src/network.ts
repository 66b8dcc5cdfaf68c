import { z } from 'zod';

/** Activations a hidden layer may use; the output layer is always a softmax over the classes. */
export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const LayerSpecSchema = z.strictObject({
  units: z.number().int().positive().max(65_536),
  activation: z.enum(ACTIVATIONS),
});
export type LayerSpec = z.infer<typeof LayerSpecSchema>;

export const OptimizerSpecSchema = z.strictObject({
  name: z.enum(OPTIMIZERS),
  // No upper bound: a rate too large to train is caught as divergence, naming the epoch and batch.
  learningRate: z.number().positive(),
});
export type OptimizerSpec = z.infer<typeof OptimizerSpecSchema>;

/** Everything the trainer needs besides the data: what POST /runs accepts, minus the dataset. */
export interface TrainingSpec {
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  batchSize: number;
  epochs: number;
  seed: number;
  validationSplit: number;
}

/** The shape of a trained network, stored beside its weights so they can be read back. */
export interface Architecture {
  inputSize: number;
  layers: LayerSpec[];
  /** Class names in label order; the output layer has one softmax unit per class. */
  classes: string[];
  input: { width: number; height: number; channels: 1 };
}

/** Compute backends an operator may force; 'auto' takes the fastest one that loads. */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
