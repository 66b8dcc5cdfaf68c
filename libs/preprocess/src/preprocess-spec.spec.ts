import { ZodError } from 'zod';
import { DEFAULT_PREPROCESS_SPEC, MAX_INPUT_SIZE, parsePreprocessSpec } from './preprocess-spec.js';

function issuesOf(input: unknown): string[] {
  try {
    parsePreprocessSpec(input as never);
  } catch (err) {
    expect(err).toBeInstanceOf(ZodError);
    return (err as ZodError).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }
  throw new Error('expected the spec to be refused');
}

describe('parsePreprocessSpec', () => {
  it('fills every default: 128×128 gray, stretched, white background, /255, 80/10/10 split, seed 0', () => {
    expect(parsePreprocessSpec({})).toEqual({
      width: 128,
      height: 128,
      fit: 'fill',
      channels: 1,
      background: '#ffffff',
      split: { train: 0.8, validation: 0.1, test: 0.1 },
      seed: 0,
    });
    expect(parsePreprocessSpec(undefined)).toEqual(DEFAULT_PREPROCESS_SPEC);
  });

  it('accepts the old { width, height } shape unchanged', () => {
    expect(parsePreprocessSpec({ width: 28, height: 32 })).toMatchObject({ width: 28, height: 32, fit: 'fill', channels: 1 });
  });

  it('keeps a full spec as given', () => {
    const spec = {
      width: 64,
      height: 48,
      fit: 'contain' as const,
      channels: 3 as const,
      background: '#000000',
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      round: 2,
      split: { train: 0.7, validation: 0.15, test: 0.15 },
      seed: 42,
    };
    expect(parsePreprocessSpec(spec)).toEqual(spec);
  });

  it('names every bad field', () => {
    expect(issuesOf({ width: 0, height: 1.5, fit: 'stretch', channels: 2, background: 'white', round: 9, seed: -1, extra: 1 })).toEqual([
      expect.stringMatching(/^width: /),
      expect.stringMatching(/^height: /),
      expect.stringMatching(/^fit: /),
      expect.stringMatching(/^channels: /),
      'background: background must be a colour like "#ffffff"',
      expect.stringMatching(/^round: /),
      expect.stringMatching(/^seed: /),
      expect.stringMatching(/^: Unrecognized key.*extra/),
    ]);
  });

  it('refuses split fractions that do not add up to 1, and a mean or std per channel of the wrong length', () => {
    expect(issuesOf({ split: { train: 0.8, validation: 0.1, test: 0.2 } })).toEqual(['split: train + validation + test must add up to 1']);
    expect(issuesOf({ channels: 3, mean: [0.5], std: [1, 1, 0] })).toEqual([
      'std.2: Too small: expected number to be >0',
      'mean: mean needs one value per channel (3), got 1',
    ]);
  });

  it('caps width × height × channels, so a tiny upload cannot ask for gigabytes of pixels', () => {
    expect(issuesOf({ width: 2048, height: 2048, channels: 3 })).toEqual([
      `width: width × height × channels is 2048 × 2048 × 3 = 12582912 values per image; the limit is ${MAX_INPUT_SIZE}`,
    ]);
    expect(parsePreprocessSpec({ width: 1024, height: 1024, channels: 1 }).width).toBe(1024);
    expect(issuesOf({ width: 1024, height: 1024, channels: 3 })).toHaveLength(1);
  });
});
