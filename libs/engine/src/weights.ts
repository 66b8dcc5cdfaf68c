import { OPTIMIZERS, type Architecture, type OptimizerName } from '#libs/contracts';
import { layerShapes } from './network.js';

/**
 * Optimizer slots (momentum's velocity, Adam's moments) in tfjs's getWeights order:
 * slot k belongs to variable k mod (number of variables).
 */
export interface OptimizerState {
  optimizer: OptimizerName;
  iterations: number;
  slots: Float32Array[];
}

export interface DecodedWeights {
  /** W0, b0, W1, b1, … */
  values: Float32Array[];
  optimizerState: OptimizerState | null;
}

// "TYOS": marks the optional optimizer-state section after the parameters.
const MAGIC = 0x534f5954;
const VERSION = 1;
const HEADER_BYTES = 20;

/** Element counts of W0, b0, W1, b1, … (no b for a layer without bias). */
export function variableSizes(architecture: Architecture): number[] {
  return layerShapes(architecture).flatMap((s) => (s.bias ? [s.inputs * s.units, s.units] : [s.inputs * s.units]));
}

export function parameterCount(architecture: Architecture): number {
  return variableSizes(architecture).reduce((sum, n) => sum + n, 0);
}

/**
 * The parameters as little-endian float32, W0, b0, W1, b1, …; a checkpoint of a stateful optimizer
 * appends its state, so a resumed run continues exactly where the first one stopped.
 */
export function encodeWeights(values: ArrayLike<number>[], optimizerState: OptimizerState | null = null): Uint8Array {
  const params = values.reduce((sum, v) => sum + v.length, 0);
  const slotFloats = optimizerState ? optimizerState.slots.reduce((sum, s) => sum + s.length, 0) : 0;
  const bytes = new Uint8Array(4 * params + (optimizerState ? HEADER_BYTES + 4 * slotFloats : 0));
  // DataView fixes the byte order whatever the host's is.
  const view = new DataView(bytes.buffer);
  let at = writeFloats(view, 0, values);
  if (optimizerState) {
    const slotsPerVariable = optimizerState.slots.length / values.length;
    if (!Number.isInteger(slotsPerVariable)) throw new Error('optimizer slots must be a whole number per variable');
    view.setUint32(at, MAGIC, true);
    view.setUint32(at + 4, VERSION, true);
    view.setUint32(at + 8, OPTIMIZERS.indexOf(optimizerState.optimizer), true);
    view.setUint32(at + 12, optimizerState.iterations, true);
    view.setUint32(at + 16, slotsPerVariable, true);
    at = writeFloats(view, at + HEADER_BYTES, optimizerState.slots);
  }
  return bytes;
}

/** Reads a blob back; `bytes` may be a view at any byteOffset into a larger buffer (a Buffer from pg is). */
export function decodeWeights(architecture: Architecture, bytes: Uint8Array): DecodedWeights {
  const sizes = variableSizes(architecture);
  const paramBytes = 4 * sizes.reduce((sum, n) => sum + n, 0);
  if (bytes.byteLength < paramBytes) {
    throw new Error(`weights blob has ${bytes.byteLength} bytes; this architecture needs ${paramBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = readFloats(view, 0, sizes);
  if (bytes.byteLength === paramBytes) return { values, optimizerState: null };

  const at = paramBytes;
  const badTail = () => new Error(`weights blob has ${bytes.byteLength - paramBytes} unexpected bytes after the parameters`);
  if (bytes.byteLength < at + HEADER_BYTES || view.getUint32(at, true) !== MAGIC) throw badTail();
  if (view.getUint32(at + 4, true) !== VERSION) throw new Error(`unknown optimizer-state version ${view.getUint32(at + 4, true)}`);
  const optimizer = OPTIMIZERS[view.getUint32(at + 8, true)];
  if (!optimizer) throw badTail();
  const iterations = view.getUint32(at + 12, true);
  const slotSizes = Array.from({ length: view.getUint32(at + 16, true) }, () => sizes).flat();
  if (bytes.byteLength !== at + HEADER_BYTES + 4 * slotSizes.reduce((sum, n) => sum + n, 0)) throw badTail();
  return { values, optimizerState: { optimizer, iterations, slots: readFloats(view, at + HEADER_BYTES, slotSizes) } };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * W0, b0, W1, b1, … as float32 arrays viewing `bytes` in place (no copy: a model shared between threads in
 * a SharedArrayBuffer stays one copy) where the host is little-endian and `bytes` is 4-byte aligned;
 * elsewhere decoded. Any optimizer state after the parameters is ignored.
 */
export function parameterViews(architecture: Architecture, bytes: Uint8Array): Float32Array[] {
  if (!LITTLE_ENDIAN || bytes.byteOffset % 4 !== 0) return decodeWeights(architecture, bytes).values;
  const sizes = variableSizes(architecture);
  const paramBytes = 4 * sizes.reduce((sum, n) => sum + n, 0);
  if (bytes.byteLength < paramBytes) throw new Error(`weights blob has ${bytes.byteLength} bytes; this architecture needs ${paramBytes}`);
  let at = bytes.byteOffset;
  return sizes.map((size) => {
    const view = new Float32Array(bytes.buffer, at, size);
    at += 4 * size;
    return view;
  });
}

/** The parameters alone: what a finished model keeps once nobody will resume its training. */
export function stripOptimizerState(architecture: Architecture, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, 4 * parameterCount(architecture));
}

function writeFloats(view: DataView, at: number, arrays: ArrayLike<number>[]): number {
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++, at += 4) view.setFloat32(at, array[i]!, true);
  }
  return at;
}

function readFloats(view: DataView, at: number, sizes: number[]): Float32Array[] {
  return sizes.map((size) => {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++, at += 4) out[i] = view.getFloat32(at, true);
    return out;
  });
}
