import * as tf from '@tensorflow/tfjs';
import type { Activation, Architecture } from '#libs/contracts';
import { createRng, mixSeed, Stream, type Rng } from './rng.js';

/** The output layer's activation is always a softmax over the classes. */
export type LayerActivation = Activation | 'softmax';

export interface LayerShape {
  inputs: number;
  units: number;
  activation: LayerActivation;
}

/** One dense layer, a' = f(a·W + b); W is [inputs, units] so a batch of row vectors multiplies on the left. */
export interface DenseLayer {
  weights: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  activation: LayerActivation;
}

export interface Network {
  layers: DenseLayer[];
  /** W0, b0, W1, b1, …: the order of the weights blob and of the optimizer's slots. */
  variables: tf.Variable[];
  dispose(): void;
}

/** The hidden layers from the architecture, then one softmax unit per class. */
export function layerShapes(architecture: Architecture): LayerShape[] {
  const { inputSize, layers, classes } = architecture;
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new Error(`inputSize must be a positive integer, got ${inputSize}`);
  if (classes.length < 2) throw new Error(`a classifier needs at least 2 classes, got ${classes.length}`);
  const shapes: LayerShape[] = [];
  let inputs = inputSize;
  for (const layer of layers) {
    shapes.push({ inputs, units: layer.units, activation: layer.activation });
    inputs = layer.units;
  }
  shapes.push({ inputs, units: classes.length, activation: 'softmax' });
  return shapes;
}

/** He init keeps ReLU activations' variance steady; Glorot does the same for the symmetric activations. */
export function initLimit(shape: LayerShape): number {
  return shape.activation === 'relu'
    ? Math.sqrt(6 / shape.inputs)
    : Math.sqrt(6 / (shape.inputs + shape.units));
}

function uniformMatrix(shape: LayerShape, rng: Rng): Float32Array {
  const limit = initLimit(shape);
  const values = new Float32Array(shape.inputs * shape.units);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng() - 1) * limit;
  return values;
}

/** Seeded initial values: uniform W, zero b, in the W0, b0, W1, b1, … order. */
export function initialValues(architecture: Architecture, seed: number): Float32Array[] {
  const rng = createRng(mixSeed(seed, Stream.init));
  return layerShapes(architecture).flatMap((shape) => [uniformMatrix(shape, rng), new Float32Array(shape.units)]);
}

/** Builds the variables from given values (W0, b0, W1, b1, …); never at module load. */
export function createNetwork(architecture: Architecture, values: Float32Array[]): Network {
  const shapes = layerShapes(architecture);
  if (values.length !== shapes.length * 2) throw new Error(`expected ${shapes.length * 2} arrays, got ${values.length}`);
  const layers = shapes.map((shape, i): DenseLayer => {
    // A variable shares the initial tensor's data, so the temporary can go at once.
    const w = tf.tensor2d(values[2 * i]!, [shape.inputs, shape.units]);
    const b = tf.tensor1d(values[2 * i + 1]!);
    const layer = { weights: tf.variable(w), bias: tf.variable(b), activation: shape.activation };
    w.dispose();
    b.dispose();
    return layer;
  });
  const variables = layers.flatMap((l): tf.Variable[] => [l.weights, l.bias]);
  return { layers, variables, dispose: () => variables.forEach((v) => v.dispose()) };
}

/** z = a·W + b for a batch of rows a [n, inputs]. */
export function dense(a: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(a, weights), bias);
}

export function activate(z: tf.Tensor2D, activation: LayerActivation): tf.Tensor2D {
  switch (activation) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'linear':
      return z;
    case 'softmax':
      return tf.softmax(z);
  }
}

/** The output layer's z (logits); its softmax is applied by crossEntropy (as a stable log-softmax) or probabilities. */
export function forward(network: Network, x: tf.Tensor2D): tf.Tensor2D {
  const last = network.layers.length - 1;
  return network.layers.reduce((a, layer, i) => {
    const z = dense(a, layer.weights, layer.bias);
    return i === last ? z : activate(z, layer.activation);
  }, x);
}

export function probabilities(network: Network, x: tf.Tensor2D): tf.Tensor2D {
  return activate(forward(network, x), 'softmax');
}

/** Mean over the batch of −Σ y·log softmax(z), with y one-hot. */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

/** How many rows have their largest logit at the true class. */
export function countCorrect(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(oneHot, 1)), 'float32'));
}
