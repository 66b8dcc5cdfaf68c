import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** Chunks that never change what the pixels are; any other (transparency, gamma, colour profile, EXIF orientation) leaves the image to libvips. */
const HARMLESS = new Set(['IHDR', 'IDAT', 'IEND', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs']);

/**
 * The pixels of a PNG that is already what the spec asks for (8-bit gray for 1 channel or 8-bit RGB for 3,
 * not interlaced, exactly width×height, no chunk that alters pixels): libvips would return them unchanged,
 * and for a 28×28 image its per-call cost is many times the work. Null for anything else, including any
 * damage (bad CRC, short data), so libvips decides and reports those as it always has.
 */
export function plainPngPixels(image: Buffer, width: number, height: number, channels: number): Uint8Array | null {
  if (image.length < 8 + 25 + 12 || !image.subarray(0, 8).equals(SIGNATURE)) return null;
  const idat: Buffer[] = [];
  let ended = false;
  let at = 8;
  for (; at + 12 <= image.length && !ended; ) {
    const length = image.readUInt32BE(at);
    const type = image.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > image.length || !HARMLESS.has(type)) return null;
    if (crc32(image.subarray(at + 8, at + 8 + length), crc32(image.subarray(at + 4, at + 8))) !== image.readUInt32BE(at + 8 + length)) return null;
    const data = image.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      const colourType = data[9];
      const wanted = channels === 1 ? 0 : channels === 3 ? 2 : -1;
      // Width, height, 8-bit, colour type, deflate, standard filters, not interlaced.
      if (at !== 8 || length !== 13 || data.readUInt32BE(0) !== width || data.readUInt32BE(4) !== height || data[8] !== 8 || colourType !== wanted || data[10] !== 0 || data[11] !== 0 || data[12] !== 0) return null;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    at = end;
  }
  // Bytes after IEND are something libvips may warn about: its call.
  if (!ended || at !== image.length || !idat.length) return null;
  const stride = width * channels;
  let raw: Buffer;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { maxOutputLength: (stride + 1) * height });
  } catch {
    return null;
  }
  if (raw.length !== (stride + 1) * height) return null;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const base = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? out[base + x - channels]! : 0;
      const up = y > 0 ? out[base + x - stride]! : 0;
      const upLeft = y > 0 && x >= channels ? out[base + x - stride - channels]! : 0;
      let predictor: number;
      if (filter === 0) predictor = 0;
      else if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      } else return null;
      out[base + x] = (row[x]! + predictor) & 0xff;
    }
  }
  return out;
}
