import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { CliError } from './cli-error.js';

/**
 * Zips a folder (class folders of images, or images with a labels.csv) into a temporary file, streaming
 * each file from disk, so a folder of any size uploads as the zip the API expects. Hidden files stay out.
 */
export async function zipFolder(folder: string): Promise<{ path: string; files: number; remove: () => Promise<void> }> {
  const files = (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !relative(folder, path).split(sep).some((part) => part.startsWith('.')))
    .sort();
  if (files.length === 0) throw new CliError(`${folder} holds no files to upload`);
  const dir = await mkdtemp(join(tmpdir(), 'trainyard-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const zip = new yazl.ZipFile();
    // Images are already compressed; storing them keeps zipping as fast as copying.
    for (const file of files) zip.addFile(file, relative(folder, file).split(sep).join('/'), { compress: false });
    zip.end();
    const path = join(dir, 'dataset.zip');
    await pipeline(zip.outputStream, createWriteStream(path));
    return { path, files: files.length, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
