import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { BlobStore, PrismaService } from '#libs/database';
import { archiveLimitsOf, readArchive, type Archive } from '#libs/preprocess';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';

/** An archive with its images' order in the zip: chunks take images in that order, so they read the zip front to back. */
export interface OpenedArchive {
  archive: Archive;
  /** Indices into `archive.images`, by where each entry's bytes sit in the zip. */
  inZipOrder: number[];
}

interface Opened {
  archive: Promise<OpenedArchive>;
  users: number;
}

/**
 * Opens a dataset's uploaded zip from Postgres, so a worker on any host can read it, a few pieces at a
 * time. A worker usually takes several chunks of one dataset in a row, so the newest dataset's listing
 * (its zip directory, read once) and cached pieces are kept for the next chunk; older ones are closed
 * once no chunk uses them.
 */
@Injectable()
export class DatasetArchive {
  private readonly opened = new Map<string, Opened>();
  private newest?: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly blobs: BlobStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /** The dataset's archive for one chunk; call `release` when the chunk is done with it. */
  async open(datasetId: string): Promise<OpenedArchive & { release: () => void }> {
    let entry = this.opened.get(datasetId);
    if (!entry) {
      entry = { archive: this.read(datasetId), users: 0 };
      this.opened.set(datasetId, entry);
      entry.archive.catch(() => this.opened.delete(datasetId));
    }
    this.newest = datasetId;
    entry.users++;
    const held = entry;
    try {
      return { ...(await held.archive), release: () => this.release(held) };
    } catch (error) {
      held.users--;
      throw error;
    } finally {
      this.closeIdle();
    }
  }

  private async read(datasetId: string): Promise<OpenedArchive> {
    const upload = await this.prisma.datasetUpload.findUnique({ where: { datasetId }, select: { blobId: true } });
    if (!upload) throw new UnrecoverableError(`dataset ${datasetId} has no upload (deleted?)`);
    // The API's limits: an archive it accepted opens here too.
    const archive = await readArchive({ blocks: await this.blobs.pieces(upload.blobId) }, archiveLimitsOf(this.config));
    // Path order (the samples' order) may hop all over the zip; a chunk in path order then fetched every piece again and again.
    const inZipOrder = [...archive.images.keys()].sort((a, b) => (archive.images[a]!.offset ?? 0) - (archive.images[b]!.offset ?? 0));
    return { archive, inZipOrder };
  }

  private release(entry: Opened): void {
    entry.users--;
    this.closeIdle();
  }

  /** Closes every archive no chunk is using, except the newest dataset's. */
  private closeIdle(): void {
    for (const [id, entry] of this.opened) {
      if (id === this.newest || entry.users > 0) continue;
      this.opened.delete(id);
      entry.archive.then(({ archive }) => archive.close(), () => undefined);
    }
  }
}
