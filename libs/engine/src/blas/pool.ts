/**
 * Recycles the large output arrays of the native kernels.
 *
 * A training step on a 16384-input layer makes ~20 MB of new Float32Arrays (the weight gradient, the scaled
 * gradient, the updated weights) that tfjs drops a moment later. Left to V8, every step pays for fresh pages
 * and for a garbage collection whose helper threads take the second core from OpenBLAS. Here an array goes
 * back to the pool when tfjs frees its tensor, and the next kernel that needs that size reuses it.
 *
 * Only arrays this pool made are reused, and never one that left the backend: an array handed out by
 * readSync (dataSync, data, arraySync, checkpoints) or shared with another tensor by a view (tfjs's Slice
 * returns a subarray of its input) is "escaped" and left to the garbage collector.
 */
export class ArrayPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  private readonly pooled = new WeakSet<Float32Array>();
  private pooledBytes = 0;
  /** How many takes were served from the pool. */
  reused = 0;

  constructor(
    /** Smaller arrays are cheap to make and not worth tracking. */
    readonly minLength = 16_384,
    readonly maxPerLength = 4,
    readonly maxBytes = 256 * 2 ** 20,
  ) {}

  /** An array of `length` floats with unspecified contents: the caller overwrites all of it. */
  take(length: number): Float32Array {
    if (length < this.minLength) return new Float32Array(length);
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooled.delete(reused);
      this.reused++;
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const made = new Float32Array(length);
    this.owned.add(made);
    return made;
  }

  /** Its tensor is gone: reuse the array unless it escaped. */
  release(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values) || this.pooled.has(values) || this.escaped.has(values.buffer)) return;
    const list = this.free.get(values.length) ?? [];
    if (list.length >= this.maxPerLength || this.pooledBytes + values.byteLength > this.maxBytes) return;
    list.push(values);
    this.pooled.add(values);
    this.free.set(values.length, list);
    this.pooledBytes += values.byteLength;
  }

  /** Someone outside the backend holds this array (or a view of its buffer): never reuse it. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.escaped.add(values.buffer);
  }

  isEscaped(values: ArrayBufferView): boolean {
    return this.escaped.has(values.buffer);
  }

  get bytes(): number {
    return this.pooledBytes;
  }

  clear(): void {
    for (const list of this.free.values()) list.forEach((values) => this.pooled.delete(values));
    this.free.clear();
    this.pooledBytes = 0;
  }
}
