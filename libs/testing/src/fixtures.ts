// Image and zip builders for specs.
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import yazl from 'yazl';

/** A zip holding the given entries; a name ending in "/" becomes a directory entry. */
export async function zipOf(entries: Record<string, Buffer | string>, compress = false): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(Buffer.from(content), name, { compress });
  }
  zip.end();
  return buffer(zip.outputStream);
}

/** Rewrites an entry name in both the local header and the central directory (yazl refuses unsafe names). */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('renameEntry keeps offsets valid only for same-length names');
  const out = Buffer.from(zip);
  for (let at = out.indexOf(from); at !== -1; at = out.indexOf(from, at + 1)) out.write(to, at, 'latin1');
  return out;
}

/** A width×height 8-bit gray PNG with the given pixel values, row-major. */
export function grayPng(width: number, height: number, values: number[]): Promise<Buffer> {
  return sharp(Buffer.from(values), { raw: { width, height, channels: 1 } }).png().toBuffer();
}

export function solidPng(gray = 128, size = 8): Promise<Buffer> {
  return grayPng(size, size, new Array<number>(size * size).fill(gray));
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff';

/** 8-bit pixels, row-major, channels interleaved: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: ArrayLike<number>;
}

export interface EncodeOptions {
  /** png and tiff only: store 16 bits per sample (each 8-bit value v becomes v·257, which reads back as v). */
  sixteenBit?: boolean;
  /** EXIF orientation tag, 1–8. */
  orientation?: number;
  /** jpeg and lossy webp only. */
  quality?: number;
}

/**
 * Encodes raw pixels in a format, losslessly wherever the format can be (webp lossless, tiff LZW,
 * gif without dithering), keeping gray sources as true gray images rather than RGB.
 */
export function encodeImage(raw: RawImage, format: ImageFormat, { sixteenBit = false, orientation, quality = 100 }: EncodeOptions = {}): Promise<Buffer> {
  if (sixteenBit && format !== 'png' && format !== 'tiff') throw new Error(`${format} cannot hold 16-bit samples`);
  const gray = raw.channels <= 2;
  let image = sharp(Buffer.from(Uint8Array.from(raw.data)), { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .toColourspace(sixteenBit ? (gray ? 'grey16' : 'rgb16') : gray ? 'b-w' : 'srgb');
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  switch (format) {
    case 'png':
      return image.png().toBuffer();
    case 'jpeg':
      return image.jpeg({ quality }).toBuffer();
    case 'webp':
      return image.webp({ lossless: true }).toBuffer();
    case 'gif':
      return image.gif({ dither: 0 }).toBuffer();
    case 'tiff':
      return image.tiff({ compression: 'lzw' }).toBuffer();
  }
}

/** An animated GIF whose frames are the given images (same size and channels), without dithering. */
export function animatedGif(frames: RawImage[]): Promise<Buffer> {
  const [{ width, height, channels }] = frames;
  const data = Buffer.concat(frames.map((frame) => Uint8Array.from(frame.data)));
  return sharp(data, { raw: { width, height: height * frames.length, channels, pageHeight: height } }).gif({ dither: 0 }).toBuffer();
}

/** A solid-colour image of any format, e.g. for fit and background checks. */
export function solidImage(width: number, height: number, rgba: [number, number, number, number], format: ImageFormat = 'png'): Promise<Buffer> {
  const data = Array.from({ length: width * height * 4 }, (_, i) => rgba[i % 4]);
  return encodeImage({ width, height, channels: 4, data }, format);
}
