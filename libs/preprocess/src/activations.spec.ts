import { activationTable, toActivations } from './activations.js';
import { parsePreprocessSpec } from './preprocess-spec.js';

describe('toActivations', () => {
  it('divides each byte by 255 when given no spec', () => {
    expect([...toActivations(Uint8Array.from([0, 51, 255]))]).toEqual([0, Math.fround(0.2), 1]);
  });

  it('gives the same as byte / 255 for the default spec, for every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, v) => v);
    expect([...toActivations(bytes, parsePreprocessSpec({}))]).toEqual([...bytes].map((v) => Math.fround(v / 255)));
  });

  it('subtracts the mean and divides by the std of each interleaved channel', () => {
    const spec = { channels: 3, mean: [0.5, 0, 1], std: [0.5, 2, 0.25] } as const;
    const pixels = Uint8Array.from([255, 255, 0, 0, 51, 255]);
    expect([...toActivations(pixels, { ...spec, mean: [...spec.mean], std: [...spec.std] })]).toEqual(
      [1, 0.5, -4, -1, 0.1, 0].map(Math.fround),
    );
  });

  it('rounds to N decimals half away from zero, as the original pipeline rounded to 2', () => {
    // 1/255 = 0.0039… → 0; 128/255 = 0.50196… → 0.5; 200/255 = 0.78431… → 0.78.
    expect([...toActivations(Uint8Array.from([1, 128, 200]), { round: 2 })]).toEqual([0, 0.5, 0.78].map(Math.fround));
    expect([...toActivations(Uint8Array.from([200]), { round: 0 })]).toEqual([1]);
    // (0/255 − 0.5) / 0.4 = −1.25 → −1.3, not −1.2; (127/255 − 0.5) / 0.4 = −0.0049 → 0, not −0.
    const negative = toActivations(Uint8Array.from([0, 127]), { mean: [0.5], std: [0.4], round: 1 });
    expect([...negative]).toEqual([Math.fround(-1.3), 0]);
    expect(Object.is(negative[1], -0)).toBe(false);
  });

  it('is a lookup of one table, so every byte value maps to one float32 whatever else is in the image', () => {
    const spec = { channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], round: 3 } as const;
    const table = activationTable({ ...spec, mean: [...spec.mean], std: [...spec.std] });
    const pixels = Uint8Array.from({ length: 3 * 256 }, (_, i) => Math.floor(i / 3));
    const activations = toActivations(pixels, { ...spec, mean: [...spec.mean], std: [...spec.std] });
    activations.forEach((a, i) => expect(a).toBe(table[(i % 3) * 256 + pixels[i]]));
  });

  it('refuses bytes that are not whole pixels', () => {
    expect(() => toActivations(new Uint8Array(4), { channels: 3 })).toThrow(RangeError);
  });
});
