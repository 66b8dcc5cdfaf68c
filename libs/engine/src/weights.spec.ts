import type { Architecture } from '#libs/contracts';
import { initialValues } from './network.js';
import { decodeWeights, encodeWeights, parameterCount, parameterViews, stripOptimizerState } from './weights.js';

const architecture: Architecture = {
  inputSize: 6,
  layers: [{ units: 5, activation: 'relu' }],
  classes: ['a', 'b', 'c'],
  input: { width: 3, height: 2, channels: 1 },
};

/** Copies bytes into a bigger pooled-looking buffer at an odd offset, as pg hands back bytea columns. */
function viewAtOffset(bytes: Uint8Array, offset: number): Buffer {
  const big = Buffer.alloc(bytes.length + offset + 5, 0xab);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

describe('weights', () => {
  it('are W0, b0, W1, b1 as little-endian float32', () => {
    const values = initialValues(architecture, 1);
    values[1]![0] = 1.5;
    const bytes = encodeWeights(values);
    expect(parameterCount(architecture)).toBe(6 * 5 + 5 + 5 * 3 + 3);
    expect(bytes.byteLength).toBe(4 * parameterCount(architecture));
    expect(new DataView(bytes.buffer).getFloat32(4 * 30, true)).toBe(1.5);
  });

  it('round-trip through a Buffer that is a view at a nonzero, unaligned byteOffset', () => {
    const values = initialValues(architecture, 2);
    const view = viewAtOffset(encodeWeights(values), 3);
    expect(view.byteOffset % 4).not.toBe(0);
    const decoded = decodeWeights(architecture, view);
    expect(decoded.values).toEqual(values);
    expect(decoded.optimizerState).toBeNull();
  });

  it('are viewed in place in shared memory, and decoded where a view is not aligned', () => {
    const values = initialValues(architecture, 4);
    const shared = new SharedArrayBuffer(4 * parameterCount(architecture));
    new Uint8Array(shared).set(encodeWeights(values));
    const views = parameterViews(architecture, new Uint8Array(shared));
    expect(views.map((v) => Array.from(v))).toEqual(values.map((v) => Array.from(v)));
    expect(views.every((v) => v.buffer === shared)).toBe(true);
    expect(parameterViews(architecture, viewAtOffset(encodeWeights(values), 3))).toEqual(values);
    expect(() => parameterViews(architecture, new Uint8Array(shared, 0, 8))).toThrow(/needs/);
  });

  it('carry optimizer state after the parameters, and strip it again', () => {
    const values = initialValues(architecture, 3);
    const slots = [...values, ...values].map((v) => v.map((x) => x * 2));
    const bytes = encodeWeights(values, { optimizer: 'adam', iterations: 42, slots });
    const decoded = decodeWeights(architecture, viewAtOffset(bytes, 1));
    expect(decoded.values).toEqual(values);
    expect(decoded.optimizerState).toEqual({ optimizer: 'adam', iterations: 42, slots });
    expect(decodeWeights(architecture, stripOptimizerState(architecture, bytes))).toEqual({ values, optimizerState: null });
  });

  it('refuse a blob of the wrong size with a message that gives both sizes', () => {
    const bytes = encodeWeights(initialValues(architecture, 1));
    expect(() => decodeWeights(architecture, bytes.subarray(4))).toThrow(`weights blob has ${bytes.length - 4} bytes; this architecture needs ${bytes.length}`);
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(() => decodeWeights(architecture, longer)).toThrow('8 unexpected bytes after the parameters');
  });
});
