import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { PrismaService } from '#libs/database';
import { readArchive, type Archive } from '#libs/preprocess';

/** Opens a dataset's uploaded zip from Postgres, so a worker on any host can read it. */
@Injectable()
export class DatasetArchive {
  constructor(private readonly prisma: PrismaService) {}

  async open(datasetId: string): Promise<Archive> {
    const upload = await this.prisma.datasetUpload.findUnique({ where: { datasetId } });
    if (!upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload (deleted?)`);
    // A view, not a copy: uploads can be large.
    return readArchive(Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength));
  }
}
