import { Injectable } from '@nestjs/common';
import { JobName, QueueName } from '#libs/contracts';
import { PrismaService, RunStatus } from '#libs/database';
import { ArchiveError, inspectArchive } from '#libs/preprocess';
import { JobQueue } from '#libs/queue';
import { DomainError, invalidInput, notFound } from '../http/domain-error.js';
import { toDatasetView } from './dataset.view.js';
import { type UploadDatasetDto } from './upload-dataset.dto.js';
import type { PageQuery } from '../http/page.dto.js';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

@Injectable()
export class DatasetsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
  ) {}

  /** Checks the archive's layout now, so a bad upload is refused before anything is stored. */
  async upload(file: UploadedFile | undefined, dto: UploadDatasetDto) {
    if (!file) throw invalidInput('file', 'a .zip archive is required in the multipart field "file"');
    const archive = await inspectArchive(file.buffer).catch((error: unknown) => {
      if (error instanceof ArchiveError) {
        throw new DomainError(error.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'INVALID_INPUT', `file: ${error.message}`, { code: error.code });
      }
      throw error;
    });
    const dataset = await this.prisma.dataset.create({
      data: {
        name: dto.name ?? file.originalname.replace(/\.zip$/i, ''),
        width: dto.width,
        height: dto.height,
        classes: archive.classes,
        // Multer hands over a plain (never shared) buffer; Prisma's Bytes type just says so more narrowly.
        upload: { create: { fileName: file.originalname, bytes: file.buffer as Uint8Array<ArrayBuffer> } },
      },
    });
    try {
      await this.jobs.enqueue(JobName.PreprocessDataset, { datasetId: dataset.id });
    } catch (error) {
      await this.prisma.dataset.delete({ where: { id: dataset.id } });
      throw new DomainError('UNAVAILABLE', `the preprocessing queue is unreachable: ${(error as Error).message}`);
    }
    return { id: dataset.id, status: dataset.status };
  }

  async get(id: string) {
    const dataset = await this.prisma.dataset.findUnique({ where: { id } });
    if (!dataset) throw notFound('dataset', id);
    const stored = dataset.status === 'PROCESSING' ? await this.prisma.sample.count({ where: { datasetId: id } }) : null;
    return toDatasetView(dataset, stored);
  }

  async list(page: PageQuery) {
    const [total, datasets] = await Promise.all([
      this.prisma.dataset.count(),
      this.prisma.dataset.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset }),
    ]);
    return { total, limit: page.limit, offset: page.offset, items: datasets.map((d) => toDatasetView(d)) };
  }

  /** Deletes a dataset and its samples; finished runs keep their history and models, without the data. */
  async delete(id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const dataset = await tx.dataset.findUnique({ where: { id } });
      if (!dataset) throw notFound('dataset', id);
      const active = await tx.run.findMany({ where: { datasetId: id, status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] } }, select: { id: true } });
      if (active.length) {
        throw new DomainError('CONFLICT', `dataset ${id} is used by ${active.length} queued or running run(s): ${active.map((r) => r.id).join(', ')}`);
      }
      await tx.dataset.delete({ where: { id } });
    });
    // A dataset still waiting to be preprocessed has a job that would find nothing; drop it.
    await this.jobs.queue(QueueName.Preprocess).remove(id).catch(() => 0);
  }
}
