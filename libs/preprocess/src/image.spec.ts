import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ImageError } from './errors.js';
import { MAX_INPUT_PIXELS, toPixels } from './image.js';
import { animatedGif, encodeImage, grayPng, solidImage, type ImageFormat, type RawImage } from '#libs/testing';

async function rejection(promise: Promise<unknown>): Promise<ImageError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageError);
    return err as ImageError;
  }
  throw new Error('expected a rejection');
}

/** Left half black, right half white, tagged with an EXIF orientation. */
function halvesWithOrientation(format: 'png' | 'jpeg', orientation: number): Promise<Buffer> {
  const width = 16;
  const height = 8;
  const values = Array.from({ length: width * height }, (_, i) => (i % width < width / 2 ? 0 : 255));
  const image = sharp(Buffer.from(values), { raw: { width, height, channels: 1 } }).withMetadata({ orientation });
  return (format === 'png' ? image.png() : image.jpeg({ quality: 100 })).toBuffer();
}

describe('toPixels', () => {
  it('returns the exact gray bytes of an image kept at its own size', async () => {
    const values = [0, 50, 100, 150, 200, 250, 10, 255];
    const pixels = await toPixels(await grayPng(4, 2, values), { width: 4, height: 2 });
    expect(pixels).toBeInstanceOf(Uint8Array);
    expect([...pixels]).toEqual(values);
  });

  it('resizes to exactly width×height, one byte per pixel, ignoring aspect ratio', async () => {
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const pixels = await toPixels(photo, { width: 32, height: 24 });
    expect(pixels.length).toBe(32 * 24);
    expect(pixels.byteOffset).toBe(0);
    expect(pixels.buffer.byteLength).toBe(32 * 24);
  });

  it('converts colour to one gray channel with libvips luminance, where pure red reads 127', async () => {
    const red = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#ff0000' } }).png().toBuffer();
    expect([...(await toPixels(red, { width: 2, height: 2 }))]).toEqual([127, 127, 127, 127]);
  });

  it('composites transparency over white', async () => {
    const rgba = (gray: number, alpha: number) =>
      sharp({ create: { width: 1, height: 1, channels: 4, background: { r: gray, g: gray, b: gray, alpha } } })
        .png()
        .toBuffer();
    const size = { width: 1, height: 1 };
    expect((await toPixels(await rgba(0, 0), size))[0]).toBe(255);
    expect((await toPixels(await rgba(100, 1), size))[0]).toBe(100);
    // 100 at half opacity over 255: 100·0.5 + 255·0.5 = 177.5.
    expect(Math.abs((await toPixels(await rgba(100, 0.5), size))[0] - 177.5)).toBeLessThanOrEqual(1);
  });

  it('turns a PNG upright from its EXIF orientation', async () => {
    // Orientation 6 means "rotate 90° clockwise to view": the left half ends up on top.
    const pixels = await toPixels(await halvesWithOrientation('png', 6), { width: 8, height: 16 });
    expect([...pixels.subarray(0, 64)].every((v) => v === 0)).toBe(true);
    expect([...pixels.subarray(64)].every((v) => v === 255)).toBe(true);
  });

  it('rotates before it resizes', async () => {
    // Stretched back to 16×8 the halves stay top and bottom; resizing first would keep them left and right.
    const pixels = await toPixels(await halvesWithOrientation('png', 6), { width: 16, height: 8 });
    // Resampling rings by a level or two near the edge, hence the margins.
    expect(Math.max(...pixels.subarray(0, 4 * 16))).toBeLessThan(8);
    expect(Math.min(...pixels.subarray(5 * 16))).toBeGreaterThan(247);
  });

  it('turns a JPEG upright from its EXIF orientation', async () => {
    const pixels = await toPixels(await halvesWithOrientation('jpeg', 6), { width: 8, height: 16 });
    // JPEG is lossy at the edge between halves, so check the rows away from it.
    expect(Math.max(...pixels.subarray(0, 48))).toBeLessThan(20);
    expect(Math.min(...pixels.subarray(80))).toBeGreaterThan(235);
  });

  it('reads 16-bit PNGs as 8-bit values', async () => {
    const values = [0, 64, 128, 255];
    const png16 = await sharp(Buffer.from(values), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expect([...(await toPixels(png16, { width: 2, height: 2 }))]).toEqual(values);
  });

  it('rejects bytes that are not an image as CORRUPT, saying why', async () => {
    const err = await rejection(toPixels(Buffer.from('not an image'), { width: 8, height: 8 }));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/unsupported image format/);
  });

  it('rejects a truncated image as CORRUPT', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const err = await rejection(toPixels(jpeg.subarray(0, jpeg.length / 2), { width: 8, height: 8 }));
    expect(err.code).toBe('CORRUPT');
  });

  it('rejects an image whose header claims more pixels than the limit as TOO_LARGE', async () => {
    const png = Buffer.from(await grayPng(1, 1, [0]));
    // IHDR data (width, height) starts at byte 16; its CRC covers type+data, bytes 12..29.
    png.writeUInt32BE(20_000, 16);
    png.writeUInt32BE(20_000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
    expect(20_000 * 20_000).toBeGreaterThan(MAX_INPUT_PIXELS);

    const err = await rejection(toPixels(png, { width: 8, height: 8 }));
    expect(err.code).toBe('TOO_LARGE');
  });

  it('refuses a size that is not two positive integers', async () => {
    await expect(toPixels(await grayPng(1, 1, [0]), { width: 0, height: 4 })).rejects.toThrow(RangeError);
  });
});

const GRAY_VALUES = [0, 50, 100, 150, 200, 250, 10, 255];
const gray4x2: RawImage = { width: 4, height: 2, channels: 1, data: GRAY_VALUES };
/** Eight distinct colours, so any mix-up of channels or pixels shows. */
const RGB_VALUES = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 0, 255, 255, 255, 0, 255, 20, 40, 60, 200, 150, 100];
const rgb4x2: RawImage = { width: 4, height: 2, channels: 3, data: RGB_VALUES };
/** Transparent black, opaque gray 100, transparent white, opaque gray 200. */
const grayAlpha2x2: RawImage = { width: 2, height: 2, channels: 2, data: [0, 0, 100, 255, 255, 0, 200, 255] };
const rgba2x2: RawImage = { width: 2, height: 2, channels: 4, data: [0, 0, 0, 0, 100, 100, 100, 255, 255, 255, 255, 0, 200, 200, 200, 255] };

const LOSSLESS: ImageFormat[] = ['png', 'webp', 'gif', 'tiff'];

describe('toPixels on every supported format', () => {
  it.each(LOSSLESS)('reads the exact gray bytes of an 8-bit gray %s', async (format) => {
    const pixels = await toPixels(await encodeImage(gray4x2, format), { width: 4, height: 2 });
    expect([...pixels]).toEqual(GRAY_VALUES);
  });

  it.each(LOSSLESS)('reads the exact RGB bytes of an 8-bit colour %s, interleaved per pixel', async (format) => {
    const pixels = await toPixels(await encodeImage(rgb4x2, format), { width: 4, height: 2, channels: 3 });
    expect([...pixels]).toEqual(RGB_VALUES);
  });

  it('reads a JPEG within the loss of its compression', async () => {
    const pixels = await toPixels(await encodeImage(gray4x2, 'jpeg', { quality: 100 }), { width: 4, height: 2 });
    pixels.forEach((v, i) => expect(Math.abs(v - GRAY_VALUES[i])).toBeLessThanOrEqual(2));
  });

  it.each(['png', 'tiff'] as const)('reads 16-bit gray and RGB %s as their 8-bit values', async (format) => {
    const gray = await encodeImage(gray4x2, format, { sixteenBit: true });
    const rgb = await encodeImage(rgb4x2, format, { sixteenBit: true });
    expect((await sharp(gray).metadata()).depth).toBe('ushort');
    expect((await sharp(rgb).metadata()).depth).toBe('ushort');
    expect([...(await toPixels(gray, { width: 4, height: 2 }))]).toEqual(GRAY_VALUES);
    expect([...(await toPixels(rgb, { width: 4, height: 2, channels: 3 }))]).toEqual(RGB_VALUES);
  });

  it.each(LOSSLESS)('composites a gray+alpha and an RGBA %s over white', async (format) => {
    for (const raw of [grayAlpha2x2, rgba2x2]) {
      const image = await encodeImage(raw, format);
      expect((await sharp(image).metadata()).hasAlpha).toBe(true);
      expect([...(await toPixels(image, { width: 2, height: 2 }))]).toEqual([255, 100, 255, 200]);
    }
  });

  it.each(['png', 'tiff'] as const)('composites a 16-bit %s with alpha over exactly 255, not 254', async (format) => {
    for (const raw of [grayAlpha2x2, rgba2x2]) {
      const image = await encodeImage(raw, format, { sixteenBit: true });
      expect((await sharp(image).metadata()).depth).toBe('ushort');
      expect([...(await toPixels(image, { width: 2, height: 2 }))]).toEqual([255, 100, 255, 200]);
    }
  });

  it('reads the first frame of an animated GIF', async () => {
    const inverted: RawImage = { ...gray4x2, data: GRAY_VALUES.map((v) => 255 - v) };
    const gif = await animatedGif([gray4x2, inverted]);
    expect((await sharp(gif).metadata()).pages).toBe(2);
    expect([...(await toPixels(gif, { width: 4, height: 2 }))]).toEqual(GRAY_VALUES);
  });

  it.each(['png', 'jpeg', 'webp', 'tiff'] as const)('turns a %s upright from its EXIF orientation', async (format) => {
    // Left half black, right half white; orientation 6 means "rotate 90° clockwise to view".
    const halves: RawImage = { width: 16, height: 8, channels: 1, data: Array.from({ length: 128 }, (_, i) => (i % 16 < 8 ? 0 : 255)) };
    const image = await encodeImage(halves, format, { orientation: 6 });
    expect((await sharp(image).metadata()).orientation).toBe(6);
    const pixels = await toPixels(image, { width: 8, height: 16 });
    // JPEG rings at the edge between the halves, so look at the rows away from it.
    expect(Math.max(...pixels.subarray(0, 48))).toBeLessThanOrEqual(format === 'jpeg' ? 20 : 0);
    expect(Math.min(...pixels.subarray(80))).toBeGreaterThanOrEqual(format === 'jpeg' ? 235 : 255);
  });
});

describe('toPixels by spec', () => {
  it('stretches to fill, letterboxes to contain, crops to cover', async () => {
    // 4×2: left half gray 0, right half gray 200.
    const wide = await encodeImage({ width: 4, height: 2, channels: 1, data: [0, 0, 200, 200, 0, 0, 200, 200] }, 'png');
    // fill: squeezed to 2×2; Lanczos rings by a few levels across the edge.
    const filled = await toPixels(wide, { width: 2, height: 2, fit: 'fill' });
    expect(Math.max(filled[0], filled[2])).toBeLessThan(16);
    expect(Math.min(filled[1], filled[3])).toBeGreaterThan(184);
    // contain: shrunk to 2×1 and centred in 2×3, a row of background above and below.
    const contained = await toPixels(wide, { width: 2, height: 3, fit: 'contain', background: '#404040' });
    expect([...contained.subarray(0, 2)]).toEqual([64, 64]);
    expect([...contained.subarray(4)]).toEqual([64, 64]);
    expect(contained[2]).toBeLessThan(16);
    expect(contained[3]).toBeGreaterThan(184);
    // cover: the height already fits, so the centre 2×2 is cut out unchanged.
    expect([...(await toPixels(wide, { width: 2, height: 2, fit: 'cover' }))]).toEqual([0, 200, 0, 200]);
    const tall = await encodeImage({ width: 2, height: 6, channels: 1, data: [10, 10, 10, 10, 50, 50, 50, 50, 90, 90, 90, 90] }, 'png');
    expect([...(await toPixels(tall, { width: 2, height: 2, fit: 'cover' }))]).toEqual([50, 50, 50, 50]);
  });

  it('orients before it crops or pads', async () => {
    // 16×8, left half black, tagged "rotate 90° clockwise": upright it is 8×16, black on top.
    const halves: RawImage = { width: 16, height: 8, channels: 1, data: Array.from({ length: 128 }, (_, i) => (i % 16 < 8 ? 0 : 255)) };
    const image = await encodeImage(halves, 'png', { orientation: 6 });
    // cover 8×8: the middle rows of the upright image, half black above half white.
    const covered = await toPixels(image, { width: 8, height: 8, fit: 'cover' });
    expect(Math.max(...covered.subarray(0, 24))).toBe(0);
    expect(Math.min(...covered.subarray(40))).toBe(255);
    // contain 8×8: upright shrunk to 4×8 between two 2-pixel columns of background.
    const contained = await toPixels(image, { width: 8, height: 8, fit: 'contain', background: '#808080' });
    for (let y = 0; y < 8; y++) {
      const row = [...contained.subarray(y * 8, y * 8 + 8)];
      expect([row[0], row[1], row[6], row[7]]).toEqual([128, 128, 128, 128]);
    }
    expect(Math.max(...contained.subarray(2, 6))).toBeLessThan(8);
    expect(Math.min(...contained.subarray(7 * 8 + 2, 7 * 8 + 6))).toBeGreaterThan(247);
  });

  it('fills transparency and contain padding with a chosen background, in gray and in RGB', async () => {
    const transparent = await solidImage(2, 2, [0, 0, 0, 0]);
    // libvips gray of pure red is 127 (luminance of linear sRGB).
    expect([...(await toPixels(transparent, { width: 1, height: 1, background: '#ff0000' }))]).toEqual([127]);
    expect([...(await toPixels(transparent, { width: 1, height: 1, channels: 3, background: '#ff0000' }))]).toEqual([255, 0, 0]);
    expect([...(await toPixels(transparent, { width: 1, height: 1, background: '#000000' }))]).toEqual([0]);
  });

  it('pads a gray source with the colour of the background, not its luma, in RGB', async () => {
    for (const format of ['png', 'jpeg'] as const) {
      const gray = await encodeImage({ width: 2, height: 1, channels: 1, data: [128, 128] }, format);
      const pixels = await toPixels(gray, { width: 2, height: 3, fit: 'contain', channels: 3, background: '#ff0000' });
      expect([...pixels]).toEqual([255, 0, 0, 255, 0, 0, 128, 128, 128, 128, 128, 128, 255, 0, 0, 255, 0, 0]);
    }
  });

  it('pads with the same gray whichever band count the source had', async () => {
    const spec = { width: 2, height: 2, fit: 'contain', background: '#3366cc' } as const;
    const fromGray = await toPixels(await encodeImage({ width: 2, height: 1, channels: 1, data: [0, 0] }, 'png'), spec);
    const fromRgb = await toPixels(await encodeImage({ width: 2, height: 1, channels: 3, data: [0, 0, 0, 0, 0, 0] }, 'png'), spec);
    const fromJpeg = await toPixels(await encodeImage({ width: 2, height: 1, channels: 1, data: [0, 0] }, 'jpeg'), spec);
    expect([...fromGray]).toEqual([...fromRgb]);
    expect([...fromJpeg.subarray(0, 2)]).toEqual([...fromRgb.subarray(0, 2)]);
  });

  it('refuses a background that is not a #rrggbb colour, and channels other than 1 and 3', async () => {
    const png = await grayPng(1, 1, [0]);
    await expect(toPixels(png, { width: 1, height: 1, background: 'white' })).rejects.toThrow(RangeError);
    await expect(toPixels(png, { width: 1, height: 1, channels: 2 as 1 })).rejects.toThrow(RangeError);
  });
});
