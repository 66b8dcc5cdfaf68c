import * as tf from '@tensorflow/tfjs';
import { type Activation, type Architecture, type Initializer, initializerOf, type Loss } from '#libs/contracts';
import { createRng, mixSeed, Stream, type Rng } from './rng.js';

/** The output layer's activation is always a softmax over the classes. */
export type LayerActivation = Activation | 'softmax';

export interface LayerShape {
  inputs: number;
  units: number;
  activation: LayerActivation;
  bias: boolean;
  init: Initializer;
}

/** One dense layer, a' = f(a·W + b); W is [inputs, units] so a batch of row vectors multiplies on the left. */
export interface DenseLayer {
  weights: tf.Variable<tf.Rank.R2>;
  /** Absent in a layer built without bias terms. */
  bias: tf.Variable<tf.Rank.R1> | null;
  activation: LayerActivation;
}

export interface Network {
  layers: DenseLayer[];
  /** W0, b0, W1, b1, … (a layer without bias has no b): the order of the weights blob and of the optimizer's slots. */
  variables: tf.Variable[];
  /** The weight matrices alone, which weight decay penalises. */
  matrices: tf.Variable[];
  dispose(): void;
}

/** The negative slope of leakyRelu. */
export const LEAKY_RELU_ALPHA = 0.01;

/** The hidden layers from the architecture, then one softmax unit per class. */
export function layerShapes(architecture: Architecture): LayerShape[] {
  const { inputSize, layers, classes } = architecture;
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new Error(`inputSize must be a positive integer, got ${inputSize}`);
  if (classes.length < 2) throw new Error(`a classifier needs at least 2 classes, got ${classes.length}`);
  const shapes: LayerShape[] = [];
  let inputs = inputSize;
  for (const layer of layers) {
    shapes.push({ inputs, units: layer.units, activation: layer.activation, bias: layer.bias !== false, init: initializerOf(layer) });
    inputs = layer.units;
  }
  shapes.push({ inputs, units: classes.length, activation: 'softmax', bias: architecture.outputBias !== false, init: 'glorot' });
  return shapes;
}


/** He init keeps ReLU activations' variance steady; Glorot does the same for the symmetric activations. */
export function initLimit(shape: LayerShape): number {
  return shape.init === 'he' ? Math.sqrt(6 / shape.inputs) : Math.sqrt(6 / (shape.inputs + shape.units));
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
  return layerShapes(architecture).flatMap((shape) => [uniformMatrix(shape, rng), ...(shape.bias ? [new Float32Array(shape.units)] : [])]);
}

/** Builds the variables from given values (W0, b0, W1, b1, …); never at module load. */
export function createNetwork(architecture: Architecture, values: Float32Array[]): Network {
  const shapes = layerShapes(architecture);
  const expected = shapes.reduce((n, s) => n + (s.bias ? 2 : 1), 0);
  if (values.length !== expected) throw new Error(`expected ${expected} arrays, got ${values.length}`);
  let next = 0;
  // A variable shares the initial tensor's data, so each temporary can go at once.
  const variable = <R extends tf.Rank>(t: tf.Tensor<R>): tf.Variable<R> => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  const layers = shapes.map((shape): DenseLayer => ({
    weights: variable(tf.tensor2d(values[next++]!, [shape.inputs, shape.units])),
    bias: shape.bias ? variable(tf.tensor1d(values[next++]!)) : null,
    activation: shape.activation,
  }));
  const variables = layers.flatMap((l): tf.Variable[] => (l.bias ? [l.weights, l.bias] : [l.weights]));
  return { layers, variables, matrices: layers.map((l) => l.weights), dispose: () => variables.forEach((v) => v.dispose()) };
}

/** z = a·W + b for a batch of rows a [n, inputs] (just a·W in a layer without bias). */
export function dense(a: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D | null): tf.Tensor2D {
  const z = tf.matMul(a, weights) as tf.Tensor2D;
  return bias ? (tf.add(z, bias) as tf.Tensor2D) : z;
}

export function activate(z: tf.Tensor2D, activation: LayerActivation): tf.Tensor2D {
  switch (activation) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'leakyRelu':
      return tf.leakyRelu(z, LEAKY_RELU_ALPHA) as tf.Tensor2D;
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

/** Mean over the batch and classes of (softmax(z) − y)², the squared error of the predicted probabilities. */
export function meanSquaredError(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.softmax(logits), oneHot)));
}

/** The training loss of a spec; cross-entropy unless it asks for mse. */
export function lossOf(loss: Loss | undefined): (logits: tf.Tensor2D, oneHot: tf.Tensor2D) => tf.Scalar {
  return loss === 'mse' ? meanSquaredError : crossEntropy;
}

/** (weightDecay / 2)·ΣW² over the weight matrices: the L2 penalty that pulls weights toward zero. */
export function l2Penalty(network: Network, weightDecay: number): tf.Scalar {
  return tf.mul(weightDecay / 2, tf.addN(network.matrices.map((w) => tf.sum(tf.square(w)))));
}

/** How many rows have their largest logit at the true class (labels: int32 class indices). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
}
