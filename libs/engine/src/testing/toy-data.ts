import { createRng } from '../rng.js';
import type { LabelledPixels } from '../dataset.js';

/**
 * Two classes in 64 "pixels" laid out as XOR: the sign of the first half's offset times the second half's.
 * No straight line separates them, so a hidden layer must learn something.
 */
export function xorBlobs(count: number, seed: number, inputSize = 64): LabelledPixels {
  const rng = createRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const pixels = new Uint8Array(count * inputSize);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const s1 = rng() < 0.5 ? -1 : 1;
    const s2 = rng() < 0.5 ? -1 : 1;
    labels[n] = s1 === s2 ? 1 : 0;
    for (let j = 0; j < inputSize; j++) {
      const sign = j < inputSize / 2 ? s1 : s2;
      pixels[n * inputSize + j] = Math.max(0, Math.min(255, Math.round(128 + 50 * sign + 25 * gaussian())));
    }
  }
  return { pixels, labels };
}

/** Random bytes and labels: for tests that care about mechanics, not learning. */
export function noise(count: number, inputSize: number, numClasses: number, seed: number): LabelledPixels {
  const rng = createRng(seed);
  return {
    pixels: Uint8Array.from({ length: count * inputSize }, () => Math.floor(rng() * 256)),
    labels: Int32Array.from({ length: count }, (_, i) => i % numClasses),
  };
}
