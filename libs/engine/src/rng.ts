/** A random source in [0, 1); every random choice the engine makes goes through one, so a seed replays a run. */
export type Rng = () => number;

/** Mixes integers into one 32-bit seed (murmur3 finaliser), so (seed, epoch) streams never overlap by accident. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, and identical on every platform (Math.random is neither seeded nor portable). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates in place: every permutation equally likely. */
export function shuffleInPlace(items: Int32Array, rng: Rng): Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** Streams that must not share random numbers; the value is mixed into the seed. */
export const Stream = { init: 1, split: 2, epoch: 3 } as const;
