import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { PrismaService } from '#libs/database';
import { archiveLimitsOf, readArchive, type Archive } from '#libs/preprocess';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';

/**
 * Opens a dataset's uploaded zip from Postgres, so a worker on any host can read it. The last upload read
 * is kept, because a worker often takes several chunks of one dataset in a row.
 */
@Injectable()
export class DatasetArchive {
  private last?: { datasetId: string; zip: Buffer };

  constructor(
    private readonly prisma: PrismaService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async open(datasetId: string): Promise<Archive> {
    if (this.last?.datasetId !== datasetId) {
      const upload = await this.prisma.datasetUpload.findUnique({ where: { datasetId } });
      if (!upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload (deleted?)`);
      // A view, not a copy: uploads can be large.
      this.last = { datasetId, zip: Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength) };
    }
    // The API's limits: an archive it accepted opens here too.
    return readArchive(this.last.zip, archiveLimitsOf(this.config));
  }
}
