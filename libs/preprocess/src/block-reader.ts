import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** Bytes in fixed-size blocks: a file on disk, or a blob's pieces in Postgres. */
export interface BlockSource {
  size: number;
  blockBytes: number;
  /** Block `index` whole (the last may be shorter). */
  block(index: number): Promise<Buffer>;
  close?(): Promise<void>;
}

/**
 * A yauzl reader that serves every read from a few cached blocks. yauzl reads a zip's directory with two
 * small reads per entry and its default reader makes two streams for each: on a 60,000-entry zip that was
 * seconds per listing. Here a header read is a copy out of memory once its block is in.
 */
export class BlockZipReader extends yauzl.RandomAccessReader {
  private readonly cache = new Map<number, Promise<Buffer>>();
  /** The cached blocks that have arrived, for reads that need not wait. */
  private readonly ready = new Map<number, Buffer>();

  constructor(
    private readonly source: BlockSource,
    private readonly cachedBlocks = 4,
  ) {
    super();
  }

  get size(): number {
    return this.source.size;
  }

  /** The bytes [start, end): a view of one block, or a copy when the range spans blocks. */
  async bytes(start: number, end: number): Promise<Buffer> {
    if (start < 0 || end > this.source.size || start > end) throw new RangeError(`range ${start}..${end} is outside the ${this.source.size} bytes`);
    const { blockBytes } = this.source;
    const first = Math.floor(start / blockBytes);
    if (end <= (first + 1) * blockBytes) return (await this.block(first)).subarray(start - first * blockBytes, end - first * blockBytes);
    const out = Buffer.allocUnsafe(end - start);
    for (let at = start; at < end; ) {
      const index = Math.floor(at / blockBytes);
      const block = await this.block(index);
      const from = at - index * blockBytes;
      const to = Math.min(block.length, end - index * blockBytes);
      block.copy(out, at - start, from, to);
      at += to - from;
    }
    return out;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    // A header inside a block already in memory is copied at once: yauzl reads two per directory entry.
    const index = Math.floor(position / this.source.blockBytes);
    const held = this.ready.get(index);
    const from = position - index * this.source.blockBytes;
    if (held && from + length <= held.length) {
      held.copy(buffer, offset, from, from + length);
      return callback(null, length);
    }
    this.bytes(position, position + length).then(
      (bytes) => {
        bytes.copy(buffer, offset);
        callback(null, bytes.length);
      },
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const bytes = this.bytes(start, end);
    return Readable.from((async function* () {
      yield await bytes;
    })(), { objectMode: false });
  }

  override close(callback: (err: Error | null) => void): void {
    this.cache.clear();
    this.ready.clear();
    (this.source.close?.() ?? Promise.resolve()).then(() => callback(null), callback);
  }

  private block(index: number): Promise<Buffer> {
    let block = this.cache.get(index);
    if (block) this.cache.delete(index); // re-inserted below: most recently used last
    else {
      block = this.source.block(index);
      block.then(
        (bytes) => this.cache.get(index) === block && this.ready.set(index, bytes),
        () => this.cache.delete(index),
      );
    }
    this.cache.set(index, block);
    while (this.cache.size > this.cachedBlocks) {
      const oldest = this.cache.keys().next().value!;
      this.cache.delete(oldest);
      this.ready.delete(oldest);
    }
    return block;
  }
}

/** A file read in blocks of `blockBytes` (1 MiB by default). */
export async function fileBlocks(path: string, blockBytes = 1024 ** 2): Promise<BlockSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    blockBytes,
    async block(index) {
      const length = Math.max(0, Math.min(blockBytes, size - index * blockBytes));
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, index * blockBytes);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}
