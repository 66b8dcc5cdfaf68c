import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';
import { drawShapes, type ShapesOptions } from './shapes.js';

// A fixed timestamp makes the zip itself byte-for-byte reproducible.
const MTIME = new Date('2024-01-01T00:00:00Z');

/** The shapes set as an upload-ready zip: `circle/0001.png`, `square/0001.png`, … */
export async function shapesZip(options: ShapesOptions): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const image of await drawShapes(options)) {
    // PNG is already deflated; storing saves time and loses nothing.
    zip.addBuffer(image.png, image.path, { compress: false, mtime: MTIME });
  }
  zip.end();
  return buffer(zip.outputStream);
}
