// The data sets bench:system uploads, generated (no download) and cached in the OS temp folder: the photo-like
// JPEGs of bench:preprocess in ten class folders, and gray PNG sets (MNIST-sized and larger) with their raw
// pixels beside them for the PyTorch peer.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32, deflateSync } from 'node:zlib';
import yazl from 'yazl';
import { benchImages, xorshift } from '../preprocess-images.js';

const VERSION = 1;
export const CLASSES = 10;

export interface ImageSet {
  name: string;
  /** The zip a user uploads: one folder per class. */
  zipPath: string;
  /** The same images as files, in zip order, for the OpenCV peer. */
  files: string[];
  width: number;
  height: number;
}

export interface PixelSet extends ImageSet {
  /** count × width × height bytes, row-major, image after image, and one int32 label per image: the PyTorch peer's input. */
  pixelsPath: string;
  labelsPath: string;
}

const classOf = (i: number) => `c${i % CLASSES}`;

async function writeZip(path: string, entries: { name: string; file: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const { name, file } of entries) zip.addFile(file, name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

/** bench:preprocess's `count` photo-like 640×480 JPEGs, filed into ten class folders. */
export async function photoSet(count: number): Promise<ImageSet> {
  const { colour } = await benchImages(count, 0);
  const zipPath = join(tmpdir(), `trainyard-bench-system-v${VERSION}-photos-${count}.zip`);
  if (!existsSync(zipPath)) {
    await writeZip(`${zipPath}.part`, colour.map((file, i) => ({ name: `${classOf(i)}/${i}.jpg`, file })));
    await rename(`${zipPath}.part`, zipPath);
  }
  return { name: `photos-${count}`, zipPath, files: colour, width: 640, height: 480 };
}

/** An 8-bit gray PNG, written directly: a sharp call per 28×28 image would cost more than the image. */
export function grayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit, gray, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A blob whose place depends on the class, on noise: a task a dense network can learn, drawn in bytes. */
function drawGray(i: number, side: number, random: () => number): Uint8Array {
  const label = i % CLASSES;
  const cx = side * (0.25 + 0.5 * ((label % 5) / 4)) + (random() - 0.5) * side * 0.1;
  const cy = side * (label < 5 ? 0.33 : 0.67) + (random() - 0.5) * side * 0.1;
  const r2 = (side * 0.18) ** 2;
  const pixels = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      pixels[y * side + x] = Math.max(0, Math.min(255, 255 * Math.exp(-d2 / r2) + random() * 48));
    }
  }
  return pixels;
}

/** `count` side×side gray PNGs in ten classes (as files, a zip, and raw bytes for PyTorch), cached. */
export async function graySet(count: number, side: number): Promise<PixelSet> {
  const name = `gray-${side}-${count}`;
  const dir = join(tmpdir(), `trainyard-bench-system-v${VERSION}-${name}`);
  const set: PixelSet = {
    name,
    zipPath: join(dir, 'set.zip'),
    files: Array.from({ length: count }, (_, i) => join(dir, 'png', `${String(i).padStart(6, '0')}.png`)),
    width: side,
    height: side,
    pixelsPath: join(dir, 'pixels.u8'),
    labelsPath: join(dir, 'labels.i32'),
  };
  const marker = join(dir, 'complete.json');
  if (existsSync(marker)) return set;
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'png'), { recursive: true });
  const random = xorshift(side * 7919 + count);
  const all = new Uint8Array(count * side * side);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const pixels = drawGray(i, side, random);
    all.set(pixels, i * side * side);
    labels[i] = i % CLASSES;
    await writeFile(set.files[i]!, grayPng(pixels, side, side));
  }
  await writeFile(set.pixelsPath, all);
  await writeFile(set.labelsPath, new Uint8Array(labels.buffer));
  await writeZip(set.zipPath, set.files.map((file, i) => ({ name: `${classOf(i)}/${i}.png`, file })));
  await writeFile(marker, JSON.stringify({ count, side }));
  return set;
}
