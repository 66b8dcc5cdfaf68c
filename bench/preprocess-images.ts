// Photo-like JPEGs for bench/preprocess.ts, generated (no download) and cached in the OS temp folder.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const VERSION = 1;
const WIDTH = 640;
const HEIGHT = 480;

export interface BenchImages {
  /** Colour JPEGs, 640×480, quality 85, in name order. */
  colour: string[];
  /** Gray copies of the first images (same scenes, one channel), to separate resampling from colour weights. */
  gray: string[];
  /** True when the images were already on disk from an earlier run. */
  reused: boolean;
}

/** A small, fast, seeded generator: the same seed always draws the same scenes (and the same bench sets). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A gradient sky, a dozen translucent shapes, grain and a slight blur: JPEG sizes and decode costs like photos. */
async function photoLike(seed: number): Promise<Buffer> {
  const random = xorshift(seed * 2654435761);
  const colour = () => `rgb(${Math.floor(random() * 256)},${Math.floor(random() * 256)},${Math.floor(random() * 256)})`;
  let shapes = '';
  for (let k = 0; k < 12; k++) {
    const opacity = (0.35 + random() * 0.65).toFixed(2);
    if (random() < 0.5) {
      shapes += `<circle cx="${random() * WIDTH}" cy="${random() * HEIGHT}" r="${15 + random() * 120}" fill="${colour()}" fill-opacity="${opacity}"/>`;
    } else {
      const [x, y, w, h, angle] = [random() * WIDTH, random() * HEIGHT, 30 + random() * 220, 30 + random() * 220, random() * 90];
      shapes += `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${colour()}" fill-opacity="${opacity}" transform="rotate(${angle} ${x} ${y})"/>`;
    }
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">` +
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="${random().toFixed(2)}" y2="1">` +
    `<stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#sky)"/>${shapes}</svg>`;
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // Grain: roughly Gaussian (sum of three uniforms), σ ≈ 12 levels.
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i] + (random() + random() + random() - 1.5) * 24));
  return sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).blur(0.6).jpeg({ quality: 85 }).toBuffer();
}

/** Makes (or reuses) `count` photo-like JPEGs and gray copies of the first `grayCount`. */
export async function benchImages(count: number, grayCount: number): Promise<BenchImages> {
  const dir = join(tmpdir(), `trainyard-bench-preprocess-v${VERSION}-${count}`);
  const name = (i: number) => `${String(i).padStart(5, '0')}.jpg`;
  const colour = Array.from({ length: count }, (_, i) => join(dir, name(i)));
  const gray = Array.from({ length: Math.min(grayCount, count) }, (_, i) => join(dir, 'gray', name(i)));
  const marker = join(dir, 'complete.json');
  if (existsSync(marker)) return { colour, gray, reused: true };

  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'gray'), { recursive: true });
  let next = 0;
  const work = async () => {
    for (let i = next++; i < count; i = next++) {
      const jpeg = await photoLike(i + 1);
      await writeFile(colour[i], jpeg);
      if (i < gray.length) await writeFile(gray[i], await sharp(jpeg).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer());
    }
  };
  await Promise.all(Array.from({ length: 4 }, work));
  await writeFile(marker, JSON.stringify({ count, grayCount: gray.length, width: WIDTH, height: HEIGHT }));
  return { colour, gray, reused: false };
}

/** Raw little-endian float32 written by the Python peer. */
export async function readFloat32(path: string): Promise<Float32Array> {
  // Copied into a fresh buffer: a Buffer's byteOffset need not be a multiple of 4.
  return new Float32Array(Uint8Array.from(await readFile(path)).buffer);
}
