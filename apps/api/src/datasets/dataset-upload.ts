import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { diskStorage } from 'multer';
import { ArchiveError, inspectArchive, parseLabelsField, PreprocessSpecSchema, writeZipFromFiles, type ArchiveLimits, type ArchiveSummary, type PreprocessSpec } from '#libs/preprocess';
import { DomainError, invalidInput } from '../http/domain-error.js';
import type { UploadDatasetDto } from './upload-dataset.dto.js';

/** A multipart file as multer's disk storage leaves it: streamed to a temporary file, never whole in memory. */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  path: string;
  size: number;
}

/** Where uploads wait while they are checked and copied into Postgres; each is removed when its request ends. */
export const uploadStorage = diskStorage({ destination: tmpdir(), filename: (_req, _file, done) => done(null, `trainyard-upload-${randomUUID()}`) });

/** The request as the upload route sees it: `uploadStartedAt` is set before multer reads the body. */
export interface TimedRequest {
  uploadStartedAt?: number;
}

/** Stamps when the upload route was reached, before multer streams the body, so receiving it can be timed. */
@Injectable()
export class UploadClock implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    context.switchToHttp().getRequest<TimedRequest>().uploadStartedAt = Date.now();
    return next.handle();
  }
}

/** An upload checked and normalised: one zip on disk (a multi-file upload is zipped with a labels.csv), its layout and spec. */
export interface CheckedUpload {
  zipPath: string;
  size: number;
  fileName: string;
  summary: ArchiveSummary;
  spec: PreprocessSpec;
  /** Same images, labels and spec give the same hash, however they were sent. */
  contentHash: string;
  checkSeconds: number;
  hashSeconds: number;
}

/** Validates everything about an upload before anything is stored: fields, spec, archive layout. `scratch` collects files to remove. */
export async function checkUpload(files: UploadedFile[], dto: UploadDatasetDto, limits: ArchiveLimits, scratch: string[]): Promise<CheckedUpload> {
  const spec = parseSpec(dto);
  const zipFile = files.find((f) => f.fieldname === 'file');
  const images = files.filter((f) => f.fieldname === 'files');
  if (files.some((f) => f.fieldname !== 'file' && f.fieldname !== 'files')) {
    throw invalidInput('files', `unexpected file field "${files.find((f) => f.fieldname !== 'file' && f.fieldname !== 'files')!.fieldname}"; use "file" for a zip or "files" for images`);
  }
  if (zipFile && images.length) throw invalidInput('file', 'send either one zip in "file" or images in "files", not both');
  if (!zipFile && !images.length) throw invalidInput('file', 'a .zip archive is required in the multipart field "file" (or images in "files" with "labels")');
  if (zipFile && dto.labels !== undefined) throw invalidInput('labels', 'labels go with images in "files"; a zip is labelled by its folders or its labels.csv');

  const started = performance.now();
  let zipPath = zipFile?.path;
  if (!zipPath) {
    zipPath = join(tmpdir(), `trainyard-upload-${randomUUID()}.zip`);
    scratch.push(zipPath);
    const onDisk = images.map((f) => ({ name: f.originalname, path: f.path, size: f.size }));
    await asArchiveError(() => writeZipFromFiles(onDisk, requireLabels(dto), limits, zipPath!));
  }
  const summary = await asArchiveError(() => inspectArchive({ path: zipPath }, limits));
  const checked = performance.now();
  const hash = createHash('sha256');
  if (zipFile) await hashFile(zipFile.path, hash);
  else hash.update(await canonicalListing(images, requireLabels(dto)));
  const contentHash = hash.update(JSON.stringify(spec)).digest('hex');
  const size = zipFile?.size ?? (await stat(zipPath)).size;
  const checkSeconds = (checked - started) / 1000;
  const hashSeconds = (performance.now() - checked) / 1000;
  return { zipPath, size, fileName: zipFile?.originalname ?? 'upload.zip', summary, spec, contentHash, checkSeconds, hashSeconds };
}

/** Removes an upload's temporary files, whatever happened to it. */
export async function removeScratch(files: UploadedFile[], scratch: string[]): Promise<void> {
  await Promise.all([...files.map((f) => f.path), ...scratch].map((path) => rm(path, { force: true })));
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

async function hashFile(path: string, hash: Hash): Promise<void> {
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) hash.update(piece);
  });
}

/** The images as (name, label, content) in name order, so the same files sent in another order hash alike. */
async function canonicalListing(images: UploadedFile[], labels: string): Promise<string> {
  const names = parseLabelsField(labels);
  const lines: string[] = [];
  for (const [i, f] of images.entries()) {
    const hash = createHash('sha256');
    await hashFile(f.path, hash);
    lines.push(`${f.originalname}\t${names[i]}\t${hash.digest('hex')}`);
  }
  return lines.sort().join('\n');
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
