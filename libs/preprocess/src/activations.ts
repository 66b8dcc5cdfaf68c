import type { PreprocessSpec } from './preprocess-spec.js';

export type ActivationSpec = Partial<Pick<PreprocessSpec, 'channels' | 'mean' | 'std' | 'round'>>;

/**
 * Pixel activations as the first layer of a network sees them: (byte / 255 − mean[c]) / std[c], rounded
 * to `round` decimals when given; with no spec, byte / 255 in [0, 1]. Channels are interleaved, as
 * `toPixels` stores them. Computed in float64 and stored once per byte value, so training and
 * prediction get bit-identical float32 values from the same bytes.
 */
export function toActivations(pixels: Uint8Array, spec: ActivationSpec = {}): Float32Array {
  const channels = spec.channels ?? 1;
  if (pixels.length % channels !== 0) {
    throw new RangeError(`${pixels.length} bytes is not a whole number of ${channels}-channel pixels`);
  }
  const table = activationTable(spec);
  const activations = new Float32Array(pixels.length);
  if (channels === 1) {
    for (let i = 0; i < pixels.length; i++) activations[i] = table[pixels[i]];
  } else {
    for (let i = 0; i < pixels.length; i += channels) {
      for (let c = 0; c < channels; c++) activations[i + c] = table[c * 256 + pixels[i + c]];
    }
  }
  return activations;
}

/**
 * A sample's activations one pixel row at a time (width × channels each, channels side by side): how the
 * samples view and the inspect view show an input, and small enough to stream a huge one row by row.
 */
export function* activationRows(pixels: Uint8Array, spec: ActivationSpec & { width: number }): Generator<number[]> {
  const perRow = spec.width * (spec.channels ?? 1);
  for (let at = 0; at < pixels.length; at += perRow) yield Array.from(toActivations(pixels.subarray(at, at + perRow), spec));
}

/** The activation of every byte value, 256 per channel, channel-major. */
export function activationTable({ channels = 1, mean, std, round }: ActivationSpec = {}): Float32Array {
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    const m = mean?.[c] ?? 0;
    const s = std?.[c] ?? 1;
    for (let v = 0; v < 256; v++) {
      const value = (v / 255 - m) / s;
      table[c * 256 + v] = round === undefined ? value : roundTo(value, round);
    }
  }
  return table;
}

/** Half away from zero, so −x rounds to −(x rounded); never returns −0. */
function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * scale)) / scale;
  return rounded === 0 ? 0 : rounded;
}
