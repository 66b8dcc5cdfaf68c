import { ArrayPool } from './pool.js';

describe('ArrayPool', () => {
  it('reuses an array it made once its tensor is released, by length', () => {
    const pool = new ArrayPool(4);
    const a = pool.take(8);
    pool.release(a);
    expect(pool.bytes).toBe(32);
    expect(pool.take(16)).not.toBe(a);
    expect(pool.take(8)).toBe(a);
    expect(pool.bytes).toBe(0);
  });

  it('never reuses an array that escaped, a view of one, or one it did not make', () => {
    const pool = new ArrayPool(4);
    const read = pool.take(8);
    pool.escape(read);
    pool.release(read);
    const viewed = pool.take(8);
    pool.escape(viewed.subarray(2, 4));
    pool.release(viewed);
    pool.release(new Float32Array(8));
    expect(pool.bytes).toBe(0);
    const fresh = pool.take(8);
    expect([read, viewed]).not.toContain(fresh);
  });

  it('hands an array out once even when released twice', () => {
    const pool = new ArrayPool(4);
    const a = pool.take(8);
    pool.release(a);
    pool.release(a);
    expect(pool.take(8)).toBe(a);
    expect(pool.take(8)).not.toBe(a);
  });

  it('leaves small arrays to the garbage collector and keeps within its limits', () => {
    const pool = new ArrayPool(4, 2, 100);
    const small = pool.take(3);
    pool.release(small);
    expect(pool.bytes).toBe(0);
    const arrays = [pool.take(8), pool.take(8), pool.take(8), pool.take(16)];
    arrays.forEach((a) => pool.release(a));
    // Two of length 8 (maxPerLength), and no room under 100 bytes for the 64-byte one.
    expect(pool.bytes).toBe(64);
    pool.clear();
    expect(pool.bytes).toBe(0);
  });
});
