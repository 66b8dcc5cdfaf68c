import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '#libs/contracts';
import { initialValues } from './network.js';
import { predict, traceLayers } from './predict.js';
import { encodeWeights } from './weights.js';

describe('traceLayers', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('gives each layer\'s z = W·a + b and a = f(z), ending in the probabilities predict gives', () => {
    const architecture: Architecture = { inputSize: 3, layers: [{ units: 2, activation: 'leakyRelu' }, { units: 2, activation: 'linear', bias: false }], classes: ['a', 'b'], input: { width: 3, height: 1, channels: 1 } };
    const weights = encodeWeights([[1, -1, 2, 0.5, -3, 1], [0.25, -0.5], [1, 0, 0, 1], [0.5, -0.5, 1, 1], [0.1, -0.1]]);
    const pixels = Uint8Array.from([255, 51, 0]);
    const x = Array.from(pixels, (p) => Math.fround(p / 255));
    const [first, second, output] = traceLayers(architecture, weights, Float32Array.from(x));
    // W0 is [3 inputs, 2 units] row-major.
    const z0 = [x[0]! * 1 + x[1]! * 2 + x[2]! * -3 + 0.25, x[0]! * -1 + x[1]! * 0.5 + x[2]! * 1 - 0.5];
    expect(Array.from(first!.z)).toEqual(z0.map((z) => expect.closeTo(z, 6)));
    expect(Array.from(first!.a)).toEqual(z0.map((z) => expect.closeTo(z > 0 ? z : 0.01 * z, 6)));
    expect(second!.a).toEqual(second!.z);
    const probabilities = predict(architecture, weights, pixels);
    expect([Array.from(output!.a)]).toEqual(probabilities);
  });

  it('leaves no tensor behind', () => {
    const architecture: Architecture = { inputSize: 4, layers: [{ units: 3, activation: 'tanh' }], classes: ['a', 'b'], input: { width: 2, height: 2, channels: 1 } };
    const weights = encodeWeights(initialValues(architecture, 1));
    traceLayers(architecture, weights, new Float32Array(4));
    const before = tf.memory().numTensors;
    traceLayers(architecture, weights, Float32Array.from([0.1, 0.2, 0.3, 0.4]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
