import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { createOptimizer } from './optimizer.js';
import { estimateRunMemory } from './run-memory.js';
import { parameterCount } from './weights.js';

const MB = 1024 ** 2;
const net = (inputSize: number, units: number[]): Architecture => ({
  inputSize,
  layers: units.map((u) => ({ units: u, activation: 'relu' as const })),
  classes: ['a', 'b'],
  input: { width: inputSize, height: 1, channels: 1 },
});

describe('estimateRunMemory', () => {
  it('counts parameters as the weights blob does, and one gradient per parameter', () => {
    const architecture = net(784, [128]);
    const estimate = estimateRunMemory({ architecture, optimizer: 'sgd', batchSize: 32, samples: 0 });
    expect(estimate.parameters).toBe(4 * parameterCount(architecture));
    expect(estimate.gradients).toBe(estimate.parameters);
    expect(estimate.optimizerState).toBe(0);
  });

  it('adds the optimizer slots each optimizer keeps: adam and rmsprop two, momentum one', () => {
    const architecture = net(100, [50]);
    const of = (optimizer: 'sgd' | 'momentum' | 'adam' | 'rmsprop') => estimateRunMemory({ architecture, optimizer, batchSize: 1, samples: 0 });
    const params = of('sgd').parameters;
    expect(of('adam').optimizerState).toBe(2 * params);
    expect(of('momentum').optimizerState).toBe(params);
    expect(of('rmsprop').optimizerState).toBe(2 * params);
    expect(of('adam').checkpoints).toBe(4 * 3 * params);
  });

  it('keeps as many optimizer slots as tfjs saves in a checkpoint', async () => {
    const variable = tf.variable(tf.zeros([3, 2]));
    for (const optimizer of ['momentum', 'rmsprop', 'adam'] as const) {
      const tfOptimizer = createOptimizer({ name: optimizer, learningRate: 0.01 });
      tfOptimizer.applyGradients([{ name: variable.name, tensor: tf.ones([3, 2]) }]);
      const [, ...slots] = await tfOptimizer.getWeights();
      const slotBytes = slots.reduce((sum, s) => sum + 4 * s.tensor.size, 0);
      const architecture = net(1, [1]);
      const perParameter = (e: { optimizerState: number; parameters: number }) => e.optimizerState / e.parameters;
      expect([optimizer, perParameter(estimateRunMemory({ architecture, optimizer, batchSize: 1, samples: 0 }))]).toEqual([optimizer, slotBytes / (4 * variable.size)]);
      tfOptimizer.dispose();
    }
    variable.dispose();
  });

  it('covers what a 100M-parameter adam run\'s worker grew by: 9.0 GiB writing its checkpoint, 9.8 GiB resuming from it', () => {
    // Measured by npm run check:bigfiles (bench/results/bigfiles.md): one 6,100-unit layer on 128×128 gray inputs, batch 8.
    const estimate = estimateRunMemory({ architecture: net(128 * 128, [6_100]), optimizer: 'adam', batchSize: 8, samples: 680 });
    expect(estimate.total / MB).toBeGreaterThan(9_996);
  });

  it('grows with the batch through activations and with the dataset through its bytes', () => {
    const architecture = net(1000, [10]);
    const small = estimateRunMemory({ architecture, optimizer: 'sgd', batchSize: 1, samples: 10 });
    const big = estimateRunMemory({ architecture, optimizer: 'sgd', batchSize: 101, samples: 1010 });
    expect(big.activations).toBe(101 * small.activations);
    expect(big.dataset).toBe(101 * small.dataset);
    expect(small.total).toBe(small.parameters + small.gradients + small.optimizerState + small.activations + small.dataset + small.updateTemporaries + small.checkpoints);
  });

  it('puts two 65,536-unit layers on a 128×128 input far past a 24 GiB machine', () => {
    const estimate = estimateRunMemory({ architecture: net(128 * 128, [65_536, 65_536]), optimizer: 'sgd', batchSize: 32, samples: 900 });
    expect(estimate.parameters).toBeGreaterThan(20 * 1024 * MB);
    expect(estimate.total).toBeGreaterThan(24 * 1024 * MB);
  });

  it('keeps the README demo network small', () => {
    const estimate = estimateRunMemory({ architecture: net(32 * 32, [64]), optimizer: 'adam', batchSize: 32, samples: 900 });
    expect(estimate.total).toBeLessThan(16 * MB);
  });
});
