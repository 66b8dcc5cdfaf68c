import sharp from 'sharp';
import { ImageError, messageOf } from './errors.js';
import { plainPngPixels } from './png.js';
import type { PreprocessSpec } from './preprocess-spec.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** What `toPixels` reads from a spec; `{ width, height }` alone means fill, gray, white background. */
export type PixelSpec = ImageSize & Partial<Pick<PreprocessSpec, 'fit' | 'channels' | 'background'>>;

// libvips' operation cache only pays off when the same image is processed again; for a stream of
// distinct uploads it holds up to 50 MB of dead pixels and costs ~5–10% in allocation churn.
sharp.cache(false);

/** Decoding refuses images above this many pixels, so a tiny file cannot claim gigapixel dimensions. */
export const MAX_INPUT_PIXELS = 100_000_000;

/**
 * Decodes one image into width×height×channels 8-bit bytes, row-major, channels interleaved.
 * EXIF orientation is applied first; transparent pixels are composited over `background` (white by
 * default: most datasets draw dark shapes on light paper); `contain` pads with the same colour.
 * Gray is libvips' sRGB→B_W conversion (luminance of linear sRGB: pure red → 127), not Rec.601 luma.
 * GIF and TIFF give their first frame; 16-bit images are read as 8-bit.
 */
export async function toPixels(image: Buffer, spec: PixelSpec): Promise<Uint8Array> {
  const { width, height, fit = 'fill', channels = 1, background = '#ffffff' } = spec;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`channels must be 1 or 3, got ${String(channels)}`);
  if (!/^#[0-9a-fA-F]{6}$/.test(background)) throw new RangeError(`background must be a colour like "#ffffff", got ${background}`);
  // A PNG already at the spec's size and format: libvips would hand its pixels back unchanged.
  return plainPngPixels(image, width, height, channels) ?? decodeWithLibvips(image, { width, height, fit, channels, background });
}

/** toPixels through libvips, for every image that is not already a plain PNG of the right size. */
export async function decodeWithLibvips(image: Buffer, { width, height, fit, channels, background }: Required<PixelSpec>): Promise<Uint8Array> {
  // Gray output gets a neutral fill of the background's own gray, so the padding and the alpha
  // composite read the same whichever band count the source had.
  const fill = channels === 1 ? neutral(await grayOf(background)) : background;
  let output;
  try {
    let pipeline = sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', autoOrient: true });
    if (!isJpeg(image) || (channels === 3 && fit === 'contain')) {
      // 8-bit sRGB before flatten/embed: sharp flattens 16-bit images over 255·256 (white reads 254) and
      // pads 1-band images with the background's luma instead of its colour. JPEGs (no alpha) skip
      // this to keep shrink-on-load, the DCT-domain downscale that makes them fast.
      pipeline = pipeline.pipelineColourspace('srgb');
    }
    output = await pipeline
      .flatten({ background: fill })
      .resize(width, height, { fit, position: 'centre', background: fill })
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const reason = messageOf(err).trim();
    if (reason.includes('pixel limit')) {
      throw new ImageError('TOO_LARGE', `image is larger than ${MAX_INPUT_PIXELS} pixels`);
    }
    throw new ImageError('CORRUPT', `cannot decode image: ${reason.split('\n')[0]}`);
  }
  const { data, info } = output;
  if (info.channels !== channels || data.length !== width * height * channels) {
    throw new ImageError('CORRUPT', `decoder returned ${info.channels} channels of ${info.width}×${info.height}`);
  }
  // A copy that owns its whole ArrayBuffer, so later Float32Array/Bytes views need no byteOffset care.
  return new Uint8Array(data);
}

function isJpeg(image: Buffer): boolean {
  return image.length > 2 && image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff;
}

function neutral(gray: number): { r: number; g: number; b: number } {
  return { r: gray, g: gray, b: gray };
}

const grays = new Map<string, Promise<number>>();

/** The gray libvips makes of a colour, by the same conversion the images go through. */
function grayOf(colour: string): Promise<number> {
  let gray = grays.get(colour);
  if (!gray) {
    gray = sharp({ create: { width: 1, height: 1, channels: 3, background: colour } })
      .toColourspace('b-w')
      .raw()
      .toBuffer()
      .then((data) => data[0]);
    // A bad colour string must not poison the cache for later calls.
    gray.catch(() => grays.delete(colour));
    grays.set(colour, gray);
  }
  return gray;
}
