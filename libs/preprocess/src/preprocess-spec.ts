import { z } from 'zod';

/** How an image meets the target size: stretch (`fill`), letterbox over `background` (`contain`), or crop the centre (`cover`). */
export const FITS = ['fill', 'contain', 'cover'] as const;
export type Fit = (typeof FITS)[number];

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Largest target side; 2048×2048×3 activations already take 48 MiB per image as float32. */
export const MAX_SIDE = 2048;

/**
 * Most values one image may become (width × height × channels): a sample is stored as this many bytes
 * and trained on as 4× as many, so a small upload with a huge spec cannot make a worker allocate gigabytes.
 * 1024×1024 gray or 591×591 RGB; MAX_SIDE still bounds each side.
 */
export const MAX_INPUT_SIZE = 1024 * 1024;

/** Rounding beyond this many decimals is below float32's resolution for values near 1. */
export const MAX_ROUND_DECIMALS = 6;

export const SplitFractionsSchema = z
  .strictObject({
    train: z.number().min(0).max(1),
    validation: z.number().min(0).max(1),
    test: z.number().min(0).max(1),
  })
  .refine((f) => Math.abs(f.train + f.validation + f.test - 1) < 1e-9, {
    message: 'train + validation + test must add up to 1',
  });
export type SplitFractions = z.infer<typeof SplitFractionsSchema>;

export const DEFAULT_SPLIT: SplitFractions = { train: 0.8, validation: 0.1, test: 0.1 };

/**
 * What turns an uploaded image into the numbers a network sees; stored with the dataset and applied
 * again, unchanged, at prediction time. Pixels are stored as 8-bit bytes (`toPixels`); activations
 * are computed from them when read (`toActivations`): activation = (byte / 255 − mean[c]) / std[c],
 * then rounded to `round` decimals when given.
 */
export const PreprocessSpecSchema = z
  .strictObject({
    width: z.number().int().min(1).max(MAX_SIDE).default(128),
    height: z.number().int().min(1).max(MAX_SIDE).default(128),
    fit: z.enum(FITS).default('fill'),
    /** 1: gray (libvips luminance of sRGB, pure red → 127); 3: RGB, interleaved per pixel. */
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
    /** Behind transparent pixels and around a `contain`ed image; white reads as paper behind dark drawings. */
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'background must be a colour like "#ffffff"')
      .default('#ffffff'),
    /** Per channel, subtracted after dividing by 255; omitted means 0. */
    mean: z.array(z.number()).optional(),
    /** Per channel, divides after the mean is subtracted; omitted means 1. */
    std: z.array(z.number().positive()).optional(),
    /** Decimals to round each activation to (half away from zero); the original pipeline used 2. */
    round: z.number().int().min(0).max(MAX_ROUND_DECIMALS).optional(),
    /** Fractions of each class that go to each split. */
    split: SplitFractionsSchema.default(DEFAULT_SPLIT),
    /** Seeds the shuffle inside each class before it is cut into splits. */
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  })
  .superRefine((spec, ctx) => {
    const size = spec.width * spec.height * spec.channels;
    if (size > MAX_INPUT_SIZE) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `width × height × channels is ${spec.width} × ${spec.height} × ${spec.channels} = ${size} values per image; the limit is ${MAX_INPUT_SIZE}`,
      });
    }
    for (const key of ['mean', 'std'] as const) {
      const values = spec[key];
      if (values !== undefined && values.length !== spec.channels) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} needs one value per channel (${spec.channels}), got ${values.length}`,
        });
      }
    }
  });

/** A complete spec, defaults applied: what is stored with a dataset. */
export type PreprocessSpec = z.output<typeof PreprocessSpecSchema>;
/** What a client may send: every field optional. */
export type PreprocessSpecInput = z.input<typeof PreprocessSpecSchema>;

/** Fills in defaults and validates; throws ZodError naming every bad field. */
export function parsePreprocessSpec(input: PreprocessSpecInput | undefined = {}): PreprocessSpec {
  return PreprocessSpecSchema.parse(input ?? {});
}

export const DEFAULT_PREPROCESS_SPEC: PreprocessSpec = parsePreprocessSpec({});
