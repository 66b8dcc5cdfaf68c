import { Inject, Injectable } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { type ChunkTiming, type JobData, JobName } from '#libs/contracts';
import { DatasetStatus, PrismaService, SampleStore } from '#libs/database';
import { ArchiveError, preprocessArchive, type SkippedFile, storedSpec } from '#libs/preprocess';
import type { JobContext, JobHandler } from '../job-handler.js';
import { WorkerIdentity } from '../worker-identity.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';
import { DatasetArchive } from './dataset-archive.js';

/** What a chunk reports to the dataset job that waits for it. */
export interface ChunkResult {
  stored: number;
  skipped: SkippedFile[];
  /** Absent from chunks stored before timing was recorded. */
  timing?: ChunkTiming;
}

/** Preprocesses one slice of a dataset's images and stores them; run again, it replaces its own rows. */
@Injectable()
export class PreprocessChunkHandler implements JobHandler<JobName.PreprocessChunk> {
  readonly name = JobName.PreprocessChunk;

  constructor(
    private readonly prisma: PrismaService,
    private readonly archives: DatasetArchive,
    private readonly samples: SampleStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly metrics: WorkerMetrics,
    private readonly identity: WorkerIdentity,
  ) {}

  async handle(job: Job<JobData<JobName.PreprocessChunk>>, _context: JobContext): Promise<ChunkResult> {
    const started = performance.now();
    const stored = this.store(job).then((result) => {
      this.metrics.chunkDone(result.stored, (performance.now() - started) / 1000);
      return result;
    });
    return stored.catch((error: Error) => {
      throw error instanceof ArchiveError ? new UnrecoverableError(error.message) : error;
    });
  }

  /** The waiting dataset job fails with its chunk without running again, so the dataset row is marked here. */
  async onFinalFailure(job: Job<JobData<JobName.PreprocessChunk>>, reason: string): Promise<void> {
    const { datasetId, start, end } = job.data;
    await this.prisma.dataset.updateMany({
      where: { id: datasetId, status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } },
      data: { status: DatasetStatus.FAILED, error: `images ${start}–${end - 1} could not be stored: ${reason}` },
    });
  }

  private async store(job: Job<JobData<JobName.PreprocessChunk>>): Promise<ChunkResult> {
    const { datasetId, start, end } = job.data;
    const startedAt = new Date();
    const began = performance.now();
    const dataset = await this.prisma.dataset.findUnique({ where: { id: datasetId } });
    if (dataset?.status !== DatasetStatus.PROCESSING) throw new UnrecoverableError(`dataset ${datasetId} is ${dataset?.status ?? 'gone'}, not PROCESSING`);
    const { archive, inZipOrder, release } = await this.archives.open(datasetId);
    // A chunk is a stretch of the zip; each sample keeps its image's position in path order, so chunks never collide.
    const picked = inZipOrder.slice(start, end);
    const slice = picked.map((i) => archive.images[i]!);
    const position = new Map(picked.map((i) => [archive.images[i]!.path, i]));
    // Files left out before decoding are the archive's, not a chunk's: the first chunk reports them.
    const skipped = start === 0 ? archive.skipped : [];
    const opened = performance.now();
    const work = { readSeconds: 0, hashSeconds: 0, decodeSeconds: 0 };
    const result = await preprocessArchive({ classes: archive.classes, images: slice, skipped }, storedSpec(dataset, dataset.spec), {
      concurrency: this.config.PREPROCESS_IMAGE_CONCURRENCY,
      failOnBadImage: dataset.failOnBadFile,
      work,
    }).finally(release);
    const preprocessed = performance.now();
    const rows = result.samples.map((s) => ({ index: position.get(s.file)!, label: s.label, file: s.file, sha256: s.sha256, pixels: s.pixels }));
    // Binary COPY: the pixels travel as bytes, all rows in one round trip.
    await this.samples.replace(datasetId, picked, rows);
    const timing: ChunkTiming = {
      workerId: this.identity.id,
      images: slice.length,
      startedAt: startedAt.toISOString(),
      openSeconds: (opened - began) / 1000,
      preprocessSeconds: (preprocessed - opened) / 1000,
      writeSeconds: (performance.now() - preprocessed) / 1000,
      work,
    };
    return { stored: rows.length, skipped: result.skipped, timing };
  }
}
