import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { PrismaService } from '#libs/database';
import { readArchive, type Archive } from '#libs/preprocess';

/**
 * Opens a dataset's uploaded zip from Postgres, so a worker on any host can read it. The last upload read
 * is kept, because a worker often takes several chunks of one dataset in a row.
 */
@Injectable()
export class DatasetArchive {
  private last?: { datasetId: string; zip: Buffer };

  constructor(private readonly prisma: PrismaService) {}

  async open(datasetId: string): Promise<Archive> {
    if (this.last?.datasetId !== datasetId) {
      const upload = await this.prisma.datasetUpload.findUnique({ where: { datasetId } });
      if (!upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload (deleted?)`);
      // A view, not a copy: uploads can be large.
      this.last = { datasetId, zip: Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength) };
    }
    return readArchive(this.last.zip);
  }
}
