import { Inject, Injectable } from '@nestjs/common';
import { BlobStore } from '#libs/database';
import { API_CONFIG, type ApiConfig } from '../api.config.js';

/**
 * Model versions' weights in SharedArrayBuffers, so every prediction thread reads the same copy and
 * repeated predictions do not read them from Postgres again. A version's weights never change, so an
 * entry is right for as long as its version exists; the least recently used go first past PREDICT_CACHE_MB.
 * Another API replica deleting a version leaves an entry here that nothing reaches (versions are
 * looked up in Postgres first) until it is pushed out.
 */
@Injectable()
export class WeightsCache {
  private readonly entries = new Map<string, Promise<SharedArrayBuffer>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly blobs: BlobStore,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The weights of a version (its id and blob); loaded once, however many requests ask at the same time. */
  get(version: { id: string; blobId: string }): Promise<SharedArrayBuffer> {
    let entry = this.entries.get(version.id);
    if (entry) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.entries.delete(version.id);
      this.entries.set(version.id, entry);
      return entry;
    }
    entry = this.load(version.blobId);
    this.entries.set(version.id, entry);
    entry.then(
      (buffer) => this.admit(version.id, buffer.byteLength),
      () => this.forget(version.id),
    );
    return entry;
  }

  has(versionId: string): boolean {
    return this.entries.has(versionId);
  }

  /** Drops a version's weights (it was deleted). */
  forget(versionId: string): void {
    this.entries.delete(versionId);
    this.bytes -= this.sizes.get(versionId) ?? 0;
    this.sizes.delete(versionId);
  }

  private admit(versionId: string, size: number): void {
    if (!this.entries.has(versionId)) return;
    this.sizes.set(versionId, size);
    this.bytes += size;
    const limit = this.config.PREDICT_CACHE_MB * 1024 ** 2;
    for (const id of this.entries.keys()) {
      if (this.bytes <= limit) break;
      // Entries still loading have no size yet and stay.
      if (this.sizes.has(id)) this.forget(id);
    }
  }

  /** Streamed from the blob's pieces straight into shared memory: one copy, no string. */
  private async load(blobId: string): Promise<SharedArrayBuffer> {
    const buffer = new SharedArrayBuffer(await this.blobs.size(blobId));
    const bytes = new Uint8Array(buffer);
    let at = 0;
    for await (const piece of this.blobs.stream(blobId)) {
      bytes.set(piece, at);
      at += piece.length;
    }
    if (at !== bytes.length) throw new Error(`blob ${blobId} holds ${at} bytes, not ${bytes.length}`);
    return buffer;
  }
}
