import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { type DatasetTiming, type JobData, JobName, JOBS, QueueName } from '#libs/contracts';
import { DatasetStatus, Prisma, PrismaService, SampleStore } from '#libs/database';
import { ArchiveError, assignSplits, chunkRanges, storedSpec } from '#libs/preprocess';
import { JobQueue } from '#libs/queue';
import type { JobContext, JobHandler } from '../job-handler.js';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';
import { chunksTiming } from './ingest-timing.js';
import type { ChunkResult } from './preprocess-chunk.handler.js';

type DatasetJob = Job<JobData<JobName.PreprocessDataset>>;

/**
 * Splits a dataset into chunk jobs that any worker can take, waits for all of them, then marks it
 * READY. The step is saved in the job's data, so a retry or a second delivery resumes where it was.
 */
@Injectable()
export class PreprocessDatasetHandler implements JobHandler<JobName.PreprocessDataset> {
  readonly name = JobName.PreprocessDataset;
  private readonly logger = new Logger('Preprocess');

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    private readonly samples: SampleStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async handle(job: DatasetJob, { token }: JobContext): Promise<void> {
    const { datasetId } = job.data;
    const claimed = await this.prisma.dataset.updateMany({
      where: { id: datasetId, status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } },
      data: { status: DatasetStatus.PROCESSING },
    });
    if (claimed.count === 0) return; // already READY or FAILED, or deleted: a repeated delivery has nothing to do
    try {
      if (job.data.step !== 'finish') await this.split(job);
      if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
      await this.finish(job);
    } catch (error) {
      throw error instanceof ArchiveError ? new UnrecoverableError(error.message) : error;
    }
  }

  async onFinalFailure(job: DatasetJob, reason: string): Promise<void> {
    await this.prisma.dataset.updateMany({
      where: { id: job.data.datasetId, status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } },
      data: { status: DatasetStatus.FAILED, error: reason },
    });
  }

  /** Queues one chunk job per slice of images; their ids make a repeated split add nothing new. */
  private async split(job: DatasetJob): Promise<void> {
    const { datasetId } = job.data;
    const startedAt = new Date();
    // The API counted the images when it checked the upload; the zip need not be read again for it.
    const dataset = await this.prisma.dataset.findUniqueOrThrow({ where: { id: datasetId }, select: { imageCount: true, width: true, height: true, channels: true, timing: true } });
    const sampleBytes = dataset.width * dataset.height * dataset.channels;
    const { PREPROCESS_CHUNK_SIZE, PREPROCESS_CHUNK_MB } = this.config;
    const count = dataset.imageCount;
    const chunks = chunkRanges(count, sampleBytes, PREPROCESS_CHUNK_SIZE, PREPROCESS_CHUNK_MB * 1024 ** 2).map((range) => ({ datasetId, ...range }));
    await this.jobs.queue(QueueName.Preprocess).addBulk(
      chunks.map((data) => ({
        name: JobName.PreprocessChunk,
        data,
        opts: {
          jobId: JOBS[JobName.PreprocessChunk].idOf(data),
          parent: { id: job.id!, queue: job.queueQualifiedName },
          // A chunk that cannot be stored fails the dataset rather than leave it waiting forever.
          failParentOnFailure: true,
        },
      })),
    );
    const split = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, chunks: chunks.length };
    // Datasets uploaded before timing was recorded have none to add to.
    if (dataset.timing) await this.prisma.dataset.update({ where: { id: datasetId }, data: { timing: { ...(dataset.timing as DatasetTiming), split } as Prisma.InputJsonValue } });
    await job.updateData({ ...job.data, step: 'finish' });
    this.logger.log(`dataset ${datasetId}: ${count} images in ${chunks.length} chunk(s)`);
  }

  /**
   * Every chunk is stored: splits are drawn over the whole dataset (stratified by class, from the spec's
   * seed) and written, duplicates found across chunks, then the dataset marked READY with its report.
   */
  private async finish(job: DatasetJob): Promise<void> {
    const { datasetId } = job.data;
    const startedAt = new Date();
    const results = Object.values(await job.getChildrenValues<ChunkResult>());
    const skipped = results.flatMap((r) => r.skipped).sort((a, b) => (a.file < b.file ? -1 : 1));
    const dataset = await this.prisma.dataset.findUniqueOrThrow({ where: { id: datasetId } });
    const spec = storedSpec(dataset, dataset.spec);
    // Read and written by binary COPY and one UPDATE: through Prisma, 60,000 rows took seconds each way. The
    // splits are written before READY, outside its transaction: a retry draws the same ones from the same labels.
    const samples = await this.samples.listing(datasetId);
    if (samples.length === 0) throw new UnrecoverableError(`no image could be read (${skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})`);
    const splits = assignSplits(samples.map((s) => s.label), spec.split, spec.seed);
    await this.samples.setSplits(datasetId, samples.map((s) => s.index), splits);
    const readyAt = new Date();
    const recorded = dataset.timing as DatasetTiming | null;
    const timing: DatasetTiming | null = recorded && {
      ...recorded,
      chunks: chunksTiming(results.flatMap((r) => (r.timing ? [r.timing] : []))),
      finish: { startedAt: startedAt.toISOString(), splitsSeconds: (readyAt.getTime() - startedAt.getTime()) / 1000, readyAt: readyAt.toISOString() },
    };
    // Conditional on PROCESSING, so a dataset deleted or failed meanwhile is not brought back.
    const ready = await this.prisma.dataset.updateMany({
      where: { id: datasetId, status: DatasetStatus.PROCESSING },
      data: {
        status: DatasetStatus.READY,
        ...(timing && { timing: timing as Prisma.InputJsonValue }),
        numSamples: samples.length,
        skipped: skipped.map(({ file, reason }) => ({ file, reason })),
        duplicates: duplicateFiles(samples),
        error: null,
      },
    });
    if (ready.count === 0) throw new UnrecoverableError(`dataset ${datasetId} changed while it was being processed`);
    this.logger.log(`dataset ${datasetId}: READY, ${samples.length} samples, ${skipped.length} skipped`);
  }

}

/** Groups of files whose bytes are identical, so a user sees the same photo filed twice (perhaps under two classes). */
function duplicateFiles(samples: { file: string; sha256: string | null }[]): string[][] {
  const byHash = new Map<string, string[]>();
  for (const { file, sha256 } of samples) if (sha256) byHash.set(sha256, [...(byHash.get(sha256) ?? []), file]);
  return [...byHash.values()].filter((files) => files.length > 1);
}
