import sharp from 'sharp';
import { ImageError, messageOf } from './errors.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** Decoding refuses images above this many pixels, so a tiny file cannot claim gigapixel dimensions. */
export const MAX_INPUT_PIXELS = 100_000_000;

/**
 * Decodes one image into width×height 8-bit gray bytes, row-major.
 * Applies EXIF orientation first; transparent pixels are composited over white, because most
 * datasets draw dark shapes on light paper and a transparent background should read as paper.
 * Gray is libvips' sRGB→B_W conversion (pure red → 127), not Rec.601 luma.
 */
export async function toPixels(image: Buffer, size: ImageSize): Promise<Uint8Array> {
  if (!(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
    throw new RangeError(`image size must be positive integers, got ${size.width}×${size.height}`);
  }
  let output;
  try {
    output = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .resize(size.width, size.height, { fit: 'fill' })
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
  if (info.channels !== 1 || data.length !== size.width * size.height) {
    throw new ImageError('CORRUPT', `decoder returned ${info.channels} channels of ${info.width}×${info.height}`);
  }
  // A copy that owns its whole ArrayBuffer, so later Float32Array/Bytes views need no byteOffset care.
  return new Uint8Array(data);
}

/** Pixel activations in [0, 1], as the first layer of a network sees them. */
export function toActivations(pixels: Uint8Array): Float32Array {
  const activations = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) activations[i] = pixels[i] / 255;
  return activations;
}
