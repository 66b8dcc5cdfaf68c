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
