import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '#libs/contracts';
import { updateInPlace } from './blas/cpu-blas.js';
import type { OptimizerState } from './weights.js';

const MOMENTUM = 0.9;

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case 'sgd':
      return new InPlaceSgd(spec.learningRate);
    case 'momentum':
      return tf.train.momentum(spec.learningRate, MOMENTUM);
    case 'adam':
      return tf.train.adam(spec.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate);
  }
}

/**
 * tfjs's SGD, but on 'cpu-blas' each weight is updated in its own array by one native pass (same float32
 * result), instead of a multiply and an add that each write a new array as large as the weights.
 */
class InPlaceSgd extends tf.SGDOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const named = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const rest = named.filter(({ name, tensor }) => {
      const variable = tf.engine().registeredVariables[name];
      return !(variable && tensor && updateInPlace(variable, tensor, -this.learningRate));
    });
    if (rest.length === named.length) return super.applyGradients(variableGradients);
    // tfjs's update for the weights that could not be done in place; it counts the step (iterations) once.
    super.applyGradients(rest);
  }
}

/** The optimizer's slots as plain arrays; null for sgd, whose update has no memory. */
export async function saveOptimizerState(optimizer: tf.Optimizer, spec: OptimizerSpec): Promise<OptimizerState | null> {
  if (spec.name === 'sgd') return null;
  const [iterations, ...slots] = await optimizer.getWeights();
  const count = (await iterations!.tensor.data())[0]!;
  iterations!.tensor.dispose();
  return {
    optimizer: spec.name,
    iterations: count,
    // Safe without copying: assign() gives a variable new data rather than overwriting the old.
    slots: (await Promise.all(slots.map((s) => s.tensor.data()))) as Float32Array[],
  };
}

/** Puts saved slots back; slot k belongs to variable k mod variables.length (tfjs's order). */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState, variables: tf.Variable[]): Promise<void> {
  const named = [
    { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
    ...state.slots.map((values, k) => ({ name: `slot${k}`, tensor: tf.tensor(values, variables[k % variables.length]!.shape) })),
  ];
  try {
    await optimizer.setWeights(named);
  } finally {
    // setWeights makes its own variables from these.
    named.forEach((n) => n.tensor.dispose());
  }
}
