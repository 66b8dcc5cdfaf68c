import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { type JobData, JobName } from '#libs/contracts';
import { DatasetStatus, PrismaService } from '#libs/database';
import { ArchiveError, preprocessArchive, readArchive } from '#libs/preprocess';
import { isLastAttempt } from '../attempts.js';
import type { JobContext, JobHandler } from '../job-handler.js';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';

const ROWS_PER_INSERT = 500;

/** Turns an uploaded archive into stored samples; the dataset is READY only once every sample is stored. */
@Injectable()
export class PreprocessDatasetHandler implements JobHandler<JobName.PreprocessDataset> {
  readonly name = JobName.PreprocessDataset;
  private readonly logger = new Logger('Preprocess');

  constructor(
    private readonly prisma: PrismaService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async handle(job: Job<JobData<JobName.PreprocessDataset>>, _context: JobContext): Promise<void> {
    const { datasetId } = job.data;
    const claimed = await this.prisma.dataset.updateMany({
      where: { id: datasetId, status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } },
      data: { status: DatasetStatus.PROCESSING },
    });
    if (claimed.count === 0) return; // already READY or FAILED, or deleted: a repeated delivery has nothing to do
    try {
      await this.process(job);
    } catch (error) {
      const final = error instanceof ArchiveError || error instanceof UnrecoverableError || isLastAttempt(job);
      if (final) await this.fail(datasetId, (error as Error).message);
      throw error instanceof ArchiveError ? new UnrecoverableError(error.message) : error;
    }
  }

  private async process(job: Job<JobData<JobName.PreprocessDataset>>): Promise<void> {
    const { datasetId } = job.data;
    const dataset = await this.prisma.dataset.findUniqueOrThrow({ where: { id: datasetId }, include: { upload: true } });
    if (!dataset.upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload`);
    const archive = await readArchive(Buffer.from(dataset.upload.bytes.buffer, dataset.upload.bytes.byteOffset, dataset.upload.bytes.byteLength));
    const started = Date.now();
    const result = await preprocessArchive(
      archive,
      { width: dataset.width, height: dataset.height },
      {
        concurrency: this.config.PREPROCESS_IMAGE_CONCURRENCY,
        onProgress: (done, total) => void job.updateProgress({ done, total }).catch(() => undefined),
      },
    ).finally(() => archive.close());
    if (result.samples.length === 0) {
      throw new UnrecoverableError(`no image could be read (${result.skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})`);
    }
    // One transaction: a crash before COMMIT leaves no samples, and READY is never seen without them.
    await this.prisma.$transaction(
      async (tx) => {
        await tx.sample.deleteMany({ where: { datasetId } });
        for (let i = 0; i < result.samples.length; i += ROWS_PER_INSERT) {
          await tx.sample.createMany({
            data: result.samples.slice(i, i + ROWS_PER_INSERT).map((s) => ({
              datasetId, index: s.index, label: s.label, file: s.file, pixels: s.pixels as Uint8Array<ArrayBuffer>,
            })),
          });
        }
        const ready = await tx.dataset.updateMany({
          where: { id: datasetId, status: DatasetStatus.PROCESSING },
          data: {
            status: DatasetStatus.READY,
            numSamples: result.samples.length,
            classes: result.classes,
            skipped: result.skipped.map(({ file, reason }) => ({ file, reason })),
            error: null,
          },
        });
        if (ready.count === 0) throw new UnrecoverableError(`dataset ${datasetId} changed while it was being processed`);
      },
      { timeout: 600_000, maxWait: 30_000 },
    );
    this.logger.log(`dataset ${datasetId}: ${result.samples.length} samples, ${result.skipped.length} skipped in ${Date.now() - started} ms`);
  }

  private async fail(datasetId: string, error: string): Promise<void> {
    await this.prisma.dataset.updateMany({
      where: { id: datasetId, status: { in: [DatasetStatus.PENDING, DatasetStatus.PROCESSING] } },
      data: { status: DatasetStatus.FAILED, error },
    });
  }
}
