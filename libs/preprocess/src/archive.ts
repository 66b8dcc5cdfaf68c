import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { inflateSync as inflateRawInJs } from 'fflate';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { type BlockSource, BlockZipReader, fileBlocks } from './block-reader.js';
import { ArchiveError, messageOf } from './errors.js';
import { MANIFEST_NAME, parseManifest } from './manifest.js';

/** Where a zip's bytes are: in memory, in a file, or in blocks elsewhere (e.g. a blob's pieces in Postgres). */
export type ZipSource = Buffer | { path: string } | { blocks: BlockSource };

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

/** The limits from the environment both apps read (libs/config's MAX_ARCHIVE_ENTRIES, MAX_UNCOMPRESSED_MB), so API and workers agree. */
export function archiveLimitsOf(env: { MAX_ARCHIVE_ENTRIES: number; MAX_UNCOMPRESSED_MB: number }): Required<ArchiveLimits> {
  return { maxEntries: env.MAX_ARCHIVE_ENTRIES, maxUncompressedBytes: env.MAX_UNCOMPRESSED_MB * 1024 ** 2 };
}

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'] as const;

/** labels.csv is inflated to be read even by inspectArchive; this bounds what that may cost. */
export const MAX_MANIFEST_BYTES = 64 * 1024 ** 2;

export interface ArchiveImage {
  /** The entry's name inside the zip, as uploaded (wrapper folder included). */
  path: string;
  /** The class: its folder's name, or its label in labels.csv or the upload's labels field. */
  label: string;
  /** Uncompressed size the zip declares for this entry. */
  size: number;
  /** Where the entry's bytes start in its zip (reading in this order reads the zip front to back); absent outside a zip. */
  offset?: number;
  /** Inflates this one entry; rejects with ArchiveError CORRUPT_ENTRY when it cannot. */
  read(): Promise<Buffer>;
}

export interface ArchiveSkip {
  file: string;
  /** NOT_IN_MANIFEST: an image labels.csv does not list; UNSUPPORTED: a file that is not an image we read. */
  code: 'NOT_IN_MANIFEST' | 'UNSUPPORTED';
  reason: string;
}

export interface Archive {
  /** Class names, sorted by code unit so label indices never depend on locale. */
  classes: string[];
  /** Sorted by path for a zip; in upload order for uploaded files. */
  images: ArchiveImage[];
  /** Files left out before decoding: images labels.csv does not list, files that are not images. */
  skipped: ArchiveSkip[];
  /** Releases the zip; read() rejects afterwards. */
  close(): void;
}

export interface ArchiveSummary {
  classes: string[];
  imageCount: number;
  imagesPerClass: Record<string, number>;
  uncompressedBytes: number;
  /** How images are labelled: class folders, or a labels.csv manifest. */
  layout: 'folders' | 'manifest';
}

/** A file entry of the zip, with its path split into folders once. */
interface ZipFileEntry {
  path: string;
  entry: Entry;
  segments: string[];
}

interface ImageEntry {
  path: string;
  label: string;
  entry: Entry;
}

interface Scan {
  zipfile: ZipFile;
  images: ImageEntry[];
  skipped: ArchiveSkip[];
  layout: ArchiveSummary['layout'];
}

/**
 * Validates an upload from the zip's central directory (and its labels.csv, the only entry inflated),
 * so the API can answer 400 before storing anything.
 */
export async function inspectArchive(zip: ZipSource, limits: ArchiveLimits = {}): Promise<ArchiveSummary> {
  const { zipfile, images, layout } = await scan(zip, limits);
  zipfile.close();
  const imagesPerClass: Record<string, number> = {};
  let uncompressedBytes = 0;
  for (const image of images) {
    imagesPerClass[image.label] = (imagesPerClass[image.label] ?? 0) + 1;
    uncompressedBytes += image.entry.uncompressedSize;
  }
  return { classes: classesOf(images), imageCount: images.length, imagesPerClass, uncompressedBytes, layout };
}

/**
 * Opens an upload and lists its labelled images; each image is inflated only when read, so memory
 * holds the zip plus the images in flight rather than the whole unpacked dataset.
 * Images are labelled by a labels.csv manifest (`filename,label`) at the top of the zip or in the one
 * folder everything sits in; without one, by the class folder each image sits in.
 */
export async function readArchive(zip: ZipSource, limits: ArchiveLimits = {}): Promise<Archive> {
  const { zipfile, images, skipped } = await scan(zip, limits);
  return {
    skipped,
    classes: classesOf(images),
    images: images.map(({ path, label, entry }) => ({
      path,
      label,
      size: entry.uncompressedSize,
      offset: entry.relativeOffsetOfLocalHeader,
      read: () => inflate(zipfile, entry, path),
    })),
    close: () => zipfile.close(),
  };
}

async function scan(zip: ZipSource, limits: ArchiveLimits): Promise<Scan> {
  const { maxEntries, maxUncompressedBytes } = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  const zipfile = await open(zip);
  try {
    if (zipfile.entryCount > maxEntries) {
      throw new ArchiveError('TOO_LARGE', `archive has ${zipfile.entryCount} entries; the limit is ${maxEntries}`);
    }
    const files: ZipFileEntry[] = [];
    for (const entry of await entriesOf(zipfile)) {
      const path = nameOf(entry);
      // Split once: every check below looks at the segments, and on 60,000 entries splitting again was most of the listing.
      const segments = segmentsOf(path);
      if (!path.endsWith('/') && !isJunk(segments)) files.push({ path, entry, segments });
    }
    const manifest = findManifest(files);
    const labelled = manifest
      ? await labelByManifest(zipfile, manifest, files)
      : { images: labelByFolder(files.filter(isImage)), skipped: unsupported(files) };
    let total = 0;
    for (const { path, entry } of labelled.images) {
      total += entry.uncompressedSize;
      if (total > maxUncompressedBytes) {
        throw new ArchiveError(
          'TOO_LARGE',
          `archive unpacks to more than ${maxUncompressedBytes} bytes of images (reached at ${path})`,
        );
      }
    }
    return { zipfile, ...labelled, layout: manifest ? 'manifest' : 'folders' };
  } catch (err) {
    zipfile.close();
    throw err;
  }
}

/** The shallowest labels.csv, when it sits at the top or inside a folder that holds every other file. */
function findManifest(files: ZipFileEntry[]): { path: string; entry: Entry; folder: string[] } | undefined {
  const candidates = files.filter(({ segments }) => segments.at(-1)!.toLowerCase() === MANIFEST_NAME);
  if (candidates.length === 0) return undefined;
  const depth = Math.min(...candidates.map((c) => c.segments.length));
  const shallowest = candidates.filter((c) => c.segments.length === depth);
  if (shallowest.length > 1) {
    throw new ArchiveError('MANIFEST_INVALID', `archive has several ${MANIFEST_NAME}: ${shallowest.map((c) => c.path).join(', ')}`);
  }
  const [{ path, entry, segments }] = shallowest;
  const folder = segments.slice(0, -1);
  const covers = files.every((file) => folder.every((name, i) => file.segments[i] === name));
  return covers ? { path, entry, folder } : undefined;
}

async function labelByManifest(
  zipfile: ZipFile,
  manifest: { path: string; entry: Entry; folder: string[] },
  files: ZipFileEntry[],
): Promise<{ images: ImageEntry[]; skipped: ArchiveSkip[] }> {
  if (manifest.entry.uncompressedSize > MAX_MANIFEST_BYTES) {
    throw new ArchiveError('TOO_LARGE', `${manifest.path} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  const rows = parseManifest(await inflate(zipfile, manifest.entry, manifest.path));
  const byPath = new Map(files.map((file) => [file.segments.join('/'), file]));
  const listedOn = new Map<string, number>();
  const images: ImageEntry[] = [];
  const missing: string[] = [];
  for (const { file, label, line } of rows) {
    // Windows users write cat\\1.png; zip names always use "/".
    const name = file.replaceAll('\\', '/');
    if (yauzl.validateFileName(name) !== null) {
      throw new ArchiveError('UNSAFE_PATH', `${MANIFEST_NAME} line ${line} names "${file}", outside the archive (absolute or containing "..")`);
    }
    const key = [...manifest.folder, ...segmentsOf(name)].join('/');
    const first = listedOn.get(key);
    if (first !== undefined) {
      throw new ArchiveError('MANIFEST_INVALID', `${MANIFEST_NAME} line ${line} lists "${file}" again (first on line ${first})`);
    }
    listedOn.set(key, line);
    const found = byPath.get(key);
    if (!found || found.path === manifest.path) missing.push(`"${file}" (line ${line})`);
    else images.push({ path: found.path, entry: found.entry, label });
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    throw new ArchiveError('MISSING_FILE', `${MANIFEST_NAME} names ${missing.length} file(s) the archive does not hold: ${shown}`);
  }
  const skipped = files
    .filter((file) => isImage(file) && !listedOn.has(file.segments.join('/')))
    .map((file): ArchiveSkip => ({ file: file.path, code: 'NOT_IN_MANIFEST', reason: `not listed in ${MANIFEST_NAME}` }))
    .sort((a, b) => compare(a.file, b.file));
  return { images: images.sort((a, b) => compare(a.path, b.path)), skipped };
}

/** Files in a folder-labelled zip that are not images of a supported format: reported, not read. */
function unsupported(files: ZipFileEntry[]): ArchiveSkip[] {
  return files
    .filter((file) => !isImage(file))
    .map((file): ArchiveSkip => ({ file: file.path, code: 'UNSUPPORTED', reason: `not a supported image (${IMAGE_EXTENSIONS.join(', ')})` }))
    .sort((a, b) => compare(a.file, b.file));
}

async function open(zip: ZipSource): Promise<ZipFile> {
  const options = {
    lazyEntries: true,
    // Entries are read after the directory is listed; the caller closes.
    autoClose: false,
    // Names are decoded and checked here so an unsafe one raises our error, not yauzl's.
    decodeStrings: false,
    validateEntrySizes: true,
  };
  let reader: BlockZipReader | undefined;
  try {
    if (Buffer.isBuffer(zip)) return await yauzl.fromBufferPromise(zip, options);
    // Files too are read in cached blocks: yauzl's own file reader makes one read per directory header.
    reader = new BlockZipReader('path' in zip ? await fileBlocks(zip.path) : zip.blocks);
    return await yauzl.fromRandomAccessReaderPromise(reader, reader.size, options);
  } catch (err) {
    // yauzl releases its reader only through a ZipFile it returned.
    reader?.close(() => undefined);
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

function isJunk(segments: string[]): boolean {
  // macOS resource forks and dotfiles (.DS_Store, ._x.png, .git/) are never data.
  return segments.some((s) => s === '__MACOSX' || s.startsWith('.'));
}

function isImage({ path, segments }: { path: string; segments: string[] }): boolean {
  if (path.endsWith('/') || isJunk(segments)) return false;
  const file = segments.at(-1) ?? '';
  const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return file.includes('.') && (IMAGE_EXTENSIONS as readonly string[]).includes(extension);
}

function segmentsOf(path: string): string[] {
  // Some zip tools write "./circle/1.png" or "circle//1.png"; those mean the same folders.
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** Labels images by their parent folder after stripping wrapper folders every image shares. */
function labelByFolder(images: ZipFileEntry[]): ImageEntry[] {
  if (images.length === 0) throw new ArchiveError('NO_IMAGES', 'archive contains no images (png, jpg, jpeg, webp, gif, tif, tiff)');
  const sorted = [...images].sort((a, b) => compare(a.path, b.path));
  let paths = sorted.map((image) => image.segments);
  while (paths.every((p) => p.length >= 3 && p[0] === paths[0][0])) paths = paths.map((p) => p.slice(1));
  return sorted.map((image, i) => {
    const segments = paths[i];
    if (segments.length !== 2) {
      const where = segments.length < 2 ? 'at the top level' : 'nested deeper than class/file';
      throw new ArchiveError(
        'OUTSIDE_CLASS_FOLDER',
        `image "${image.path}" is ${where}; put each image directly inside a folder named after its class, or label images in a top-level ${MANIFEST_NAME}`,
      );
    }
    return { path: image.path, entry: image.entry, label: segments[0] };
  });
}

function classesOf(images: ImageEntry[]): string[] {
  return [...new Set(images.map((image) => image.label))].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const inflateRawAsync = promisify(inflateRaw);
/**
 * Entries up to this size are inflated on the calling thread, in JS (fflate): a hop to libuv's pool costs
 * more than they do, and a zlib instance per tiny entry (two native objects to build and collect) cost more
 * than its inflating.
 */
const INFLATE_INLINE_BYTES = 1024 ** 2;

/** Inflates into a buffer one byte past the declared size, so a longer entry shows as too long without inflating more. */
function inflateInline(data: Buffer, size: number): Buffer {
  const out = inflateRawInJs(data, { out: new Uint8Array(size + 1) });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

async function inflate(zipfile: ZipFile, entry: Entry, path: string): Promise<Buffer> {
  try {
    return await entryBytes(zipfile, entry);
  } catch (err) {
    throw new ArchiveError('CORRUPT_ENTRY', `cannot unpack "${path}" (${messageOf(err)})`);
  }
}

/**
 * One entry's bytes, read straight from the zip's reader (its local header, then its data) and inflated in
 * one call, rather than through yauzl's chain of streams per entry. Never more than the declared size is
 * inflated (zlib stops at maxOutputLength), and anything else than that size is refused.
 */
async function entryBytes(zipfile: ZipFile, entry: Entry): Promise<Buffer> {
  const { reader, isOpen } = zipfile as ZipFile & { reader: yauzl.RandomAccessReader };
  if (!isOpen) throw new Error('the archive is closed');
  if (entry.generalPurposeBitFlag & 0x1) throw new Error('the entry is encrypted');
  const read = (position: number, length: number): Promise<Buffer> => {
    if (position + length > zipfile.fileSize) return Promise.reject(new Error('the entry runs past the end of the archive'));
    if (reader instanceof BlockZipReader) return reader.bytes(position, position + length);
    const buffer = Buffer.allocUnsafe(length);
    return new Promise((resolve, reject) => reader.read(buffer, 0, length, position, (error) => (error ? reject(error) : resolve(buffer))));
  };
  const header = await read(entry.relativeOffsetOfLocalHeader, 30);
  if (header.readUInt32LE(0) !== 0x04034b50) throw new Error('invalid local file header signature');
  const data = await read(entry.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28), entry.compressedSize);
  let bytes: Buffer;
  if (entry.compressionMethod === 0) bytes = data;
  else if (entry.compressionMethod === 8) {
    const size = entry.uncompressedSize;
    bytes = size <= INFLATE_INLINE_BYTES ? inflateInline(data, size) : await inflateRawAsync(data, { maxOutputLength: Math.max(1, size) });
  } else throw new Error(`unsupported compression method ${entry.compressionMethod}`);
  if (bytes.length !== entry.uncompressedSize) throw new Error(`expected ${entry.uncompressedSize} bytes, got ${bytes.length}`);
  return bytes;
}
