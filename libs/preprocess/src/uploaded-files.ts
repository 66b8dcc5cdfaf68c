import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';
import { DEFAULT_ARCHIVE_LIMITS, type Archive, type ArchiveLimits } from './archive.js';
import { ArchiveError } from './errors.js';
import { MANIFEST_NAME, parseLabelsField } from './manifest.js';

export interface UploadedFile {
  /** The client's file name (multer's `originalname`). */
  name: string;
  buffer: Buffer;
}

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
  files: readonly UploadedFile[],
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
  const upload = check(files, labels, limits);
  const zip = new yazl.ZipFile();
  const csv = ['filename,label', ...upload.names.map((name, i) => `${quote(name)},${quote(upload.labels[i])}`)].join('\r\n');
  zip.addBuffer(Buffer.from(csv + '\r\n'), MANIFEST_NAME, { compress: true });
  files.forEach((file, i) => zip.addBuffer(file.buffer, upload.names[i], { compress: false }));
  zip.end();
  return buffer(zip.outputStream);
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
    total += file.buffer.length;
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
