import { buffer } from 'node:stream/consumers';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ArchiveError, messageOf } from './errors.js';

export interface ArchiveLimits {
  /** Entries of any kind, checked against the zip's directory before anything is read. */
  maxEntries?: number;
  /** Sum of the declared sizes of image entries; yauzl rejects an entry that inflates past its declared size. */
  maxUncompressedBytes?: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Required<ArchiveLimits> = {
  maxEntries: 100_000,
  maxUncompressedBytes: 1024 ** 3,
};

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'] as const;

export interface ArchiveImage {
  /** The entry's name inside the zip, as uploaded (wrapper folder included). */
  path: string;
  /** The class folder's name. */
  label: string;
  /** Uncompressed size the zip declares for this entry. */
  size: number;
  /** Inflates this one entry; rejects with ArchiveError CORRUPT_ENTRY when it cannot. */
  read(): Promise<Buffer>;
}

export interface Archive {
  /** Class folder names, sorted by code unit so label indices never depend on locale. */
  classes: string[];
  /** Sorted by path. */
  images: ArchiveImage[];
  /** Releases the zip; read() rejects afterwards. */
  close(): void;
}

export interface ArchiveSummary {
  classes: string[];
  imageCount: number;
  imagesPerClass: Record<string, number>;
  uncompressedBytes: number;
}

interface ImageEntry {
  path: string;
  label: string;
  entry: Entry;
}

/**
 * Validates an upload from the zip's central directory alone (nothing is inflated), so the API can
 * answer 400 before storing anything.
 */
export async function inspectArchive(zip: Buffer, limits: ArchiveLimits = {}): Promise<ArchiveSummary> {
  const { zipfile, images } = await scan(zip, limits);
  zipfile.close();
  const imagesPerClass: Record<string, number> = {};
  let uncompressedBytes = 0;
  for (const image of images) {
    imagesPerClass[image.label] = (imagesPerClass[image.label] ?? 0) + 1;
    uncompressedBytes += image.entry.uncompressedSize;
  }
  return { classes: classesOf(images), imageCount: images.length, imagesPerClass, uncompressedBytes };
}

/**
 * Opens an upload and lists its labelled images; each image is inflated only when read, so memory
 * holds the zip plus the images in flight rather than the whole unpacked dataset.
 */
export async function readArchive(zip: Buffer, limits: ArchiveLimits = {}): Promise<Archive> {
  const { zipfile, images } = await scan(zip, limits);
  return {
    classes: classesOf(images),
    images: images.map(({ path, label, entry }) => ({
      path,
      label,
      size: entry.uncompressedSize,
      read: () => inflate(zipfile, entry, path),
    })),
    close: () => zipfile.close(),
  };
}

async function scan(zip: Buffer, limits: ArchiveLimits): Promise<{ zipfile: ZipFile; images: ImageEntry[] }> {
  const { maxEntries, maxUncompressedBytes } = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  const zipfile = await open(zip);
  try {
    if (zipfile.entryCount > maxEntries) {
      throw new ArchiveError('TOO_LARGE', `archive has ${zipfile.entryCount} entries; the limit is ${maxEntries}`);
    }
    const images: Omit<ImageEntry, 'label'>[] = [];
    let total = 0;
    for (const entry of await entriesOf(zipfile)) {
      const path = nameOf(entry);
      if (!isImagePath(path)) continue;
      total += entry.uncompressedSize;
      if (total > maxUncompressedBytes) {
        throw new ArchiveError(
          'TOO_LARGE',
          `archive unpacks to more than ${maxUncompressedBytes} bytes of images (reached at ${path})`,
        );
      }
      images.push({ path, entry });
    }
    return { zipfile, images: label(images) };
  } catch (err) {
    zipfile.close();
    throw err;
  }
}

async function open(zip: Buffer): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      // Names are decoded and checked here so an unsafe one raises our error, not yauzl's.
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (err) {
    throw new ArchiveError('NOT_A_ZIP', `upload is not a zip archive (${messageOf(err)})`);
  }
}

async function entriesOf(zipfile: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) entries.push(entry);
  } catch (err) {
    throw new ArchiveError('NOT_A_ZIP', `zip archive is corrupt (${messageOf(err)})`);
  }
  return entries;
}

function nameOf(entry: Entry): string {
  // Same decoding yauzl does (UTF-8 flag, Info-ZIP unicode path, else CP437; backslashes become slashes).
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  if (yauzl.validateFileName(name) !== null) {
    throw new ArchiveError('UNSAFE_PATH', `entry "${name}" points outside the archive (absolute or containing "..")`);
  }
  return name;
}

function isImagePath(path: string): boolean {
  if (path.endsWith('/')) return false;
  const segments = segmentsOf(path);
  // macOS resource forks and dotfiles (.DS_Store, ._x.png, .git/) are never data.
  if (segments.some((s) => s === '__MACOSX' || s.startsWith('.'))) return false;
  const file = segments.at(-1) ?? '';
  const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return file.includes('.') && (IMAGE_EXTENSIONS as readonly string[]).includes(extension);
}

function segmentsOf(path: string): string[] {
  // Some zip tools write "./circle/1.png" or "circle//1.png"; those mean the same folders.
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** Labels images by their parent folder after stripping wrapper folders every image shares. */
function label(images: Omit<ImageEntry, 'label'>[]): ImageEntry[] {
  if (images.length === 0) throw new ArchiveError('NO_IMAGES', 'archive contains no images (png, jpg, jpeg, webp, gif, tif, tiff)');
  const sorted = [...images].sort((a, b) => compare(a.path, b.path));
  let paths = sorted.map((image) => segmentsOf(image.path));
  while (paths.every((p) => p.length >= 3 && p[0] === paths[0][0])) paths = paths.map((p) => p.slice(1));
  return sorted.map((image, i) => {
    const segments = paths[i];
    if (segments.length !== 2) {
      const where = segments.length < 2 ? 'at the top level' : 'nested deeper than class/file';
      throw new ArchiveError(
        'OUTSIDE_CLASS_FOLDER',
        `image "${image.path}" is ${where}; put each image directly inside a folder named after its class`,
      );
    }
    return { ...image, label: segments[0] };
  });
}

function classesOf(images: ImageEntry[]): string[] {
  return [...new Set(images.map((image) => image.label))].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function inflate(zipfile: ZipFile, entry: Entry, path: string): Promise<Buffer> {
  try {
    return await buffer(await zipfile.openReadStreamPromise(entry));
  } catch (err) {
    throw new ArchiveError('CORRUPT_ENTRY', `cannot unpack "${path}" (${messageOf(err)})`);
  }
}
