import { createReadStream } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { type DatasetTiming, JobName, QueueName, toPage } from '#libs/contracts';
import { BlobStore, DatasetStatus, PgBinary, Prisma, PrismaService, RunStatus } from '#libs/database';
import { archiveLimitsOf, type ArchiveLimits } from '#libs/preprocess';
import { JobQueue } from '#libs/queue';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { assertOwnerOrAdmin, CREATED_BY, type Principal } from '../auth/index.js';
import { DomainError, notFound } from '../http/domain-error.js';
import type { PageQuery } from '../http/page.dto.js';
import { checkUpload, type CheckedUpload, removeScratch, type UploadedFile } from './dataset-upload.js';
import { lockDataset } from './dataset-lock.js';
import { toDatasetView } from './dataset.view.js';
import type { UploadDatasetDto } from './upload-dataset.dto.js';

@Injectable()
export class DatasetsService {
  private readonly limits: ArchiveLimits;

  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgBinary,
    private readonly blobs: BlobStore,
    private readonly jobs: JobQueue,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.limits = archiveLimitsOf(config);
  }

  /**
   * Checks the upload now, so a bad one is refused before anything is stored; an upload whose content
   * and spec match an existing dataset returns that dataset (`existing: true`) unless `force` is set.
   * The upload arrives on disk and is streamed into Postgres: it is never whole in the API's memory.
   */
  async upload(files: UploadedFile[], dto: UploadDatasetDto, principal: Principal, receivedAt = Date.now()) {
    const scratch: string[] = [];
    try {
      const receiveSeconds = (Date.now() - receivedAt) / 1000;
      const upload = await checkUpload(files, dto, this.limits, scratch);
      const timing = { receivedAt: new Date(receivedAt).toISOString(), receiveSeconds, checkSeconds: upload.checkSeconds, hashSeconds: upload.hashSeconds };
      const dataset = await this.store(upload, dto, principal, timing);
      if ('existing' in dataset) return dataset;
      try {
        await this.jobs.enqueue(JobName.PreprocessDataset, { datasetId: dataset.id });
      } catch (error) {
        await this.prisma.dataset.delete({ where: { id: dataset.id } });
        throw new DomainError('UNAVAILABLE', `the preprocessing queue is unreachable: ${(error as Error).message}`);
      }
      return { id: dataset.id, status: dataset.status, existing: false };
    } finally {
      await removeScratch(files, scratch);
    }
  }

  /**
   * Stores the zip as a blob and the dataset that owns it. Identical uploads at once give one dataset: a
   * lock per content hash, held by a connection of its own, orders them, so the later ones find the first.
   */
  private store(upload: CheckedUpload, dto: UploadDatasetDto, principal: Principal, timing: Omit<DatasetTiming['upload'], 'storeSeconds'>) {
    const started = performance.now();
    return this.pg.session(async (session) => {
      if (!dto.force) {
        await session.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`trainyard-upload:${upload.contentHash}`]);
        const same = await this.prisma.dataset.findFirst({
          where: { contentHash: upload.contentHash, status: { not: DatasetStatus.FAILED } },
          orderBy: { createdAt: 'asc' },
        });
        if (same) return { id: same.id, status: same.status, existing: true as const };
      }
      const blob = await this.blobs.write(createReadStream(upload.zipPath, { highWaterMark: 1024 ** 2 }), session);
      const { spec, summary } = upload;
      const uploadTiming: DatasetTiming['upload'] = { ...timing, storeSeconds: (performance.now() - started) / 1000 };
      return this.prisma.dataset
        .create({
          data: {
            name: dto.name ?? upload.fileName.replace(/\.zip$/i, ''),
            width: spec.width,
            height: spec.height,
            channels: spec.channels,
            spec: spec as Prisma.InputJsonValue,
            failOnBadFile: dto.failOnBadFile ?? false,
            contentHash: upload.contentHash,
            createdById: principal.id,
            classes: summary.classes,
            imageCount: summary.imageCount,
            uploadBytes: BigInt(blob.size),
            timing: { upload: uploadTiming } satisfies DatasetTiming,
            upload: { create: { fileName: upload.fileName, blobId: blob.id } },
          },
        })
        .catch(async (error: unknown) => {
          await this.blobs.delete(blob.id, session);
          throw error;
        });
    });
  }

  async get(id: string) {
    const dataset = await this.prisma.dataset.findUnique({ where: { id }, include: CREATED_BY });
    if (!dataset) throw notFound('dataset', id);
    const counts = await this.prisma.sample.groupBy({ by: ['label', 'split'], where: { datasetId: id }, _count: { _all: true } });
    return toDatasetView(dataset, counts.map((c) => ({ label: c.label, split: c.split, count: c._count._all })));
  }

  async list(page: PageQuery) {
    const [total, datasets] = await Promise.all([
      this.prisma.dataset.count(),
      this.prisma.dataset.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset, include: CREATED_BY }),
    ]);
    return toPage(page, total, datasets.map((d) => toDatasetView(d)));
  }

  /** Deletes a dataset and its samples; finished runs keep their history and models, without the data. */
  async delete(id: string, principal: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // Locked first, so a run being created on it either commits before the check below sees it, or finds it gone.
      if (!(await lockDataset(tx, id))) throw notFound('dataset', id);
      const dataset = await tx.dataset.findUniqueOrThrow({ where: { id } });
      assertOwnerOrAdmin(principal, dataset, 'dataset');
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
