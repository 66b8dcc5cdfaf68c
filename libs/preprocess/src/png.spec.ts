import { randomBytes } from 'node:crypto';
import sharp, { type PngOptions } from 'sharp';
import { decodeWithLibvips, toPixels } from './image.js';
import { plainPngPixels } from './png.js';

const spec = (width: number, height: number, channels: 1 | 3) => ({ width, height, channels, fit: 'fill' as const, background: '#ffffff' });

async function png(width: number, height: number, channels: 1 | 3 | 4, options: PngOptions = {}): Promise<Buffer> {
  // Smooth ramps plus noise, so every filter type (sub, up, average, paeth) wins somewhere under adaptive filtering.
  const raw = Buffer.alloc(width * height * channels);
  const noise = randomBytes(raw.length);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i % (width * channels)) * 3 + Math.floor(i / (width * channels)) * 5 + (noise[i]! % 24)) & 0xff;
  const image = sharp(raw, { raw: { width, height, channels } });
  return (channels === 1 ? image.toColourspace('b-w') : image).png(options).toBuffer();
}

describe('plainPngPixels', () => {
  it.each([
    ['gray, adaptive filters', 1, { adaptiveFiltering: true }],
    ['gray, no filter', 1, { adaptiveFiltering: false }],
    ['RGB, adaptive filters', 3, { adaptiveFiltering: true }],
    ['gray, best compression', 1, { compressionLevel: 9, adaptiveFiltering: true }],
  ] as const)('gives exactly what libvips gives for a plain PNG of the spec\'s size (%s)', async (_, channels, options) => {
    for (const [w, h] of [[28, 28], [31, 17], [1, 1]] as const) {
      const image = await png(w, h, channels, options);
      const plain = plainPngPixels(image, w, h, channels);
      expect(plain).not.toBeNull();
      expect(Buffer.from(plain!).equals(Buffer.from(await decodeWithLibvips(image, spec(w, h, channels))))).toBe(true);
      expect(Buffer.from(await toPixels(image, spec(w, h, channels))).equals(Buffer.from(plain!))).toBe(true);
    }
  });

  it('leaves to libvips anything it would change or judge: another size or format, alpha, 16 bits, interlacing, damage, trailing bytes', async () => {
    const gray = await png(28, 28, 1);
    expect(plainPngPixels(gray, 14, 14, 1)).toBeNull();
    expect(plainPngPixels(gray, 28, 28, 3)).toBeNull();
    expect(plainPngPixels(await png(28, 28, 4), 28, 28, 3)).toBeNull();
    expect(plainPngPixels(await png(28, 28, 1, { progressive: true }), 28, 28, 1)).toBeNull();
    const sixteen = await sharp(Buffer.alloc(28 * 28 * 2, 7), { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect(plainPngPixels(sixteen, 28, 28, 1)).toBeNull();
    const damaged = Buffer.from(gray);
    damaged[damaged.length - 20] ^= 0xff; // inside IDAT: its CRC no longer matches
    expect(plainPngPixels(damaged, 28, 28, 1)).toBeNull();
    expect(plainPngPixels(Buffer.concat([gray, Buffer.from('junk')]), 28, 28, 1)).toBeNull();
    expect(plainPngPixels(Buffer.from('not a png at all, not at all'), 28, 28, 1)).toBeNull();
  });
});
