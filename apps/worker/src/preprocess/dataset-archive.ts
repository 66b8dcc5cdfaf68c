import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import yauzl from 'yauzl';
import { BlobStore, type BlobReader, PrismaService } from '#libs/database';
import { archiveLimitsOf, readArchive, type Archive } from '#libs/preprocess';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';

/** yauzl reads the zip's directory and entries as byte ranges of the blob, so the zip is never whole in memory. */
class BlobZipReader extends yauzl.RandomAccessReader {
  constructor(private readonly blob: BlobReader) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.blob.range(start, end), { objectMode: false });
  }
}

/**
 * Opens a dataset's uploaded zip from Postgres, so a worker on any host can read it, a few chunks at a
 * time. The last upload's reader (and its cached chunks) is kept: a worker often takes several chunks
 * of one dataset in a row.
 */
@Injectable()
export class DatasetArchive {
  private last?: { datasetId: string; blob: BlobReader };

  constructor(
    private readonly prisma: PrismaService,
    private readonly blobs: BlobStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async open(datasetId: string): Promise<Archive> {
    if (this.last?.datasetId !== datasetId) {
      const upload = await this.prisma.datasetUpload.findUnique({ where: { datasetId }, select: { blobId: true } });
      if (!upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload (deleted?)`);
      this.last = { datasetId, blob: await this.blobs.reader(upload.blobId) };
    }
    const { blob } = this.last;
    // The API's limits: an archive it accepted opens here too.
    return readArchive({ reader: new BlobZipReader(blob), size: blob.size }, archiveLimitsOf(this.config));
  }
}
