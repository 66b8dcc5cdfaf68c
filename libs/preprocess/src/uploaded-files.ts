import { createWriteStream } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { DEFAULT_ARCHIVE_LIMITS, type Archive, type ArchiveLimits } from './archive.js';
import { ArchiveError } from './errors.js';
import { MANIFEST_NAME, parseLabelsField } from './manifest.js';

/** One uploaded file: in memory, or (for uploads too big for memory) in a file on disk. */
export type UploadedFile =
  | {
      /** The client's file name (multer's `originalname`). */
      name: string;
      buffer: Buffer;
    }
  | { name: string; path: string; size: number };

const sizeOf = (file: UploadedFile) => ('buffer' in file ? file.buffer.length : file.size);

interface Upload {
  names: string[];
  labels: string[];
}

/**
 * Turns a multipart upload of many files plus its `labels` field (a JSON array or a comma list, one
 * label per file in upload order; see parseLabelsField) into the same Archive a zip gives, images
 * sorted by name. Throws ArchiveError LABELS_INVALID, EMPTY_LABEL, NO_IMAGES or TOO_LARGE.
 */
export function archiveFromFiles(
  files: readonly Extract<UploadedFile, { buffer: Buffer }>[],
  labels: string | readonly (string | number)[],
  limits: ArchiveLimits = {},
): Archive {
  const upload = check(files, labels, limits);
  const order = files.map((_, i) => i).sort((a, b) => compare(upload.names[a], upload.names[b]) || a - b);
  return {
    classes: [...new Set(upload.labels)].sort(compare),
    images: order.map((i) => ({
      path: upload.names[i],
      label: upload.labels[i],
      size: files[i].buffer.length,
      read: () => Promise.resolve(files[i].buffer),
    })),
    skipped: [],
    close: () => undefined,
  };
}

/**
 * The same upload as one zip with a labels.csv manifest, for storing as a single blob: readArchive
 * gives back exactly what archiveFromFiles gives (same names, labels and order). Entries are stored,
 * not deflated: images are already compressed.
 */
export async function zipFromFiles(
  files: readonly UploadedFile[],
  labels: string | readonly (string | number)[],
  limits: ArchiveLimits = {},
): Promise<Buffer> {
  return buffer(zipOf(files, labels, limits).outputStream);
}

/** zipFromFiles, written to a file: files on disk are streamed in, so the upload is never whole in memory. */
export async function writeZipFromFiles(
  files: readonly UploadedFile[],
  labels: string | readonly (string | number)[],
  limits: ArchiveLimits,
  destination: string,
): Promise<void> {
  await pipeline(zipOf(files, labels, limits).outputStream, createWriteStream(destination));
}

function zipOf(files: readonly UploadedFile[], labels: string | readonly (string | number)[], limits: ArchiveLimits): yazl.ZipFile {
  const upload = check(files, labels, limits);
  const zip = new yazl.ZipFile();
  const csv = ['filename,label', ...upload.names.map((name, i) => `${quote(name)},${quote(upload.labels[i])}`)].join('\r\n');
  zip.addBuffer(Buffer.from(csv + '\r\n'), MANIFEST_NAME, { compress: true });
  files.forEach((file, i) => {
    if ('buffer' in file) zip.addBuffer(file.buffer, upload.names[i], { compress: false });
    else zip.addFile(file.path, upload.names[i], { compress: false });
  });
  zip.end();
  return zip;
}

function check(files: readonly UploadedFile[], labels: string | readonly (string | number)[], limits: ArchiveLimits): Upload {
  const { maxEntries, maxUncompressedBytes } = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  if (files.length === 0) throw new ArchiveError('NO_IMAGES', 'upload contains no files');
  if (files.length > maxEntries) throw new ArchiveError('TOO_LARGE', `upload has ${files.length} files; the limit is ${maxEntries}`);
  const parsed = typeof labels === 'string' ? parseLabelsField(labels) : labels.map((label) => String(label).trim());
  if (parsed.length !== files.length) {
    throw new ArchiveError(
      'LABELS_INVALID',
      `labels has ${parsed.length} entries for ${files.length} files; give one label per file, in upload order`,
    );
  }
  let total = 0;
  files.forEach((file, i) => {
    if (parsed[i] === '') throw new ArchiveError('EMPTY_LABEL', `file ${i + 1} ("${file.name}") has an empty label`);
    total += sizeOf(file);
    if (total > maxUncompressedBytes) {
      throw new ArchiveError('TOO_LARGE', `upload holds more than ${maxUncompressedBytes} bytes of images (reached at "${file.name}")`);
    }
  });
  return { names: uniqueNames(files.map((file) => file.name)), labels: parsed };
}

/**
 * Plain file names a zip entry can carry: the last path segment, leading dots dropped (a dotfile would
 * be skipped as junk), the manifest's own name avoided, and repeats numbered like browsers do: "a (2).png".
 */
function uniqueNames(raw: readonly string[]): string[] {
  const taken = new Set<string>([MANIFEST_NAME]);
  return raw.map((name) => {
    const base = name.split(/[\\/]/).at(-1)!.trim().replace(/^\.+/, '').replace(/[\u0000-\u001f]/g, '_') || 'file';
    const dot = base.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    let candidate = base;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function quote(cell: string): string {
  return `"${cell.replaceAll('"', '""')}"`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
