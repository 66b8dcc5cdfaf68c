import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ImageError } from './errors.js';
import { MAX_INPUT_PIXELS, toActivations, toPixels } from './image.js';
import { grayPng } from '#libs/testing';

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

describe('toActivations', () => {
  it('divides each byte by 255', () => {
    expect([...toActivations(Uint8Array.from([0, 51, 255]))]).toEqual([0, Math.fround(0.2), 1]);
  });
});
