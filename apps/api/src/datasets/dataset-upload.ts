import { createHash } from 'node:crypto';
import { ArchiveError, inspectArchive, parseLabelsField, PreprocessSpecSchema, zipFromFiles, type ArchiveLimits, type ArchiveSummary, type PreprocessSpec } from '#libs/preprocess';
import { DomainError, invalidInput } from '../http/domain-error.js';
import type { UploadDatasetDto } from './upload-dataset.dto.js';

export interface UploadedFile {
  fieldname: string;
  originalname: string;
  buffer: Buffer;
}

/** An upload checked and normalised: one zip (a multi-file upload is zipped with a labels.csv), its layout and spec. */
export interface CheckedUpload {
  zip: Buffer;
  fileName: string;
  summary: ArchiveSummary;
  spec: PreprocessSpec;
  /** Same images, labels and spec give the same hash, however they were sent. */
  contentHash: string;
}

/** Validates everything about an upload before anything is stored: fields, spec, archive layout. */
export async function checkUpload(files: UploadedFile[], dto: UploadDatasetDto, limits: ArchiveLimits): Promise<CheckedUpload> {
  const spec = parseSpec(dto);
  const zipFile = files.find((f) => f.fieldname === 'file');
  const images = files.filter((f) => f.fieldname === 'files');
  if (files.some((f) => f.fieldname !== 'file' && f.fieldname !== 'files')) {
    throw invalidInput('files', `unexpected file field "${files.find((f) => f.fieldname !== 'file' && f.fieldname !== 'files')!.fieldname}"; use "file" for a zip or "files" for images`);
  }
  if (zipFile && images.length) throw invalidInput('file', 'send either one zip in "file" or images in "files", not both');
  if (!zipFile && !images.length) throw invalidInput('file', 'a .zip archive is required in the multipart field "file" (or images in "files" with "labels")');
  if (zipFile && dto.labels !== undefined) throw invalidInput('labels', 'labels go with images in "files"; a zip is labelled by its folders or its labels.csv');

  const zip = zipFile
    ? zipFile.buffer
    : await asArchiveError(() => zipFromFiles(images.map((f) => ({ name: f.originalname, buffer: f.buffer })), requireLabels(dto), limits));
  const summary = await asArchiveError(() => inspectArchive(zip, limits));
  const contentHash = createHash('sha256')
    .update(zipFile ? zip : canonicalListing(images, requireLabels(dto)))
    .update(JSON.stringify(spec))
    .digest('hex');
  return { zip, fileName: zipFile?.originalname ?? 'upload.zip', summary, spec, contentHash };
}

function parseSpec(dto: UploadDatasetDto): PreprocessSpec {
  const [train, validation, test] = dto.split ?? [];
  if (dto.split && dto.split.length !== 3) throw invalidInput('split', 'expected three fractions: train,validation,test');
  const input = {
    width: dto.width, height: dto.height, fit: dto.fit, channels: dto.channels, background: dto.background,
    mean: dto.mean, std: dto.std, round: dto.round, seed: dto.seed,
    split: dto.split ? { train, validation, test } : undefined,
  };
  const parsed = PreprocessSpecSchema.safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  throw new DomainError('INVALID_INPUT', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
}

function requireLabels(dto: UploadDatasetDto): string {
  if (dto.labels === undefined) throw invalidInput('labels', 'images sent in "files" need a "labels" field: one label per file, in order');
  return dto.labels;
}

/** The images as (name, label, content) in name order, so the same files sent in another order hash alike. */
function canonicalListing(images: UploadedFile[], labels: string): string {
  const names = parseLabelsField(labels);
  return images
    .map((f, i) => `${f.originalname}\t${names[i]}\t${createHash('sha256').update(f.buffer).digest('hex')}`)
    .sort()
    .join('\n');
}

/** An archive the lib refuses becomes a 400 (413 when too large) naming the file. */
async function asArchiveError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    const field = ['LABELS_INVALID', 'EMPTY_LABEL'].includes(error.code) ? 'labels' : 'file';
    throw new DomainError(error.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'INVALID_INPUT', `${field}: ${error.message}`, { code: error.code });
  }
}
