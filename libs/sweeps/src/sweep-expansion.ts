import seedrandom from 'seedrandom';
import type { SweepRange, SweepSpec } from '#libs/contracts';
import { assertDisjoint, setPath } from './sweep-paths.js';

/** One run a sweep makes: the swept values by path, and the run spec they give. */
export interface SweepPoint {
  params: Record<string, unknown>;
  spec: Record<string, unknown>;
}

type Draw = SweepRange | unknown[];

function parts(spec: Pick<SweepSpec, 'grid' | 'random'>) {
  // Sorted: JSON objects have no order (Postgres' jsonb reorders keys), so the same request always makes the same runs.
  const grid = Object.entries(spec.grid ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const { trials, ...draws } = spec.random ?? { trials: 0 };
  const random = (Object.entries(draws) as [string, Draw][]).sort(([a], [b]) => a.localeCompare(b));
  return { grid, random, trials: spec.random ? trials : 1 };
}

/** How many runs the sweep makes: the grid's combinations times the random trials, without building them. */
export function sweepSize(spec: Pick<SweepSpec, 'grid' | 'random'>): number {
  const { grid, trials } = parts(spec);
  return grid.reduce((product, [, values]) => product * values.length, 1) * trials;
}

/**
 * Every run of a sweep, in order: the grid's cartesian product (the first path in sorted order varies
 * slowest), and for each combination `random.trials` draws from a generator seeded with `seed`.
 */
export function expandSweep(spec: Pick<SweepSpec, 'base' | 'grid' | 'random'>, seed: number): SweepPoint[] {
  const { grid, random, trials } = parts(spec);
  assertDisjoint([...grid.map(([path]) => path), ...random.map(([path]) => path)]);
  const combinations = grid.reduce<Record<string, unknown>[]>(
    (acc, [path, values]) => acc.flatMap((combination) => values.map((value) => ({ ...combination, [path]: value }))),
    [{}],
  );
  const next = seedrandom(String(seed));
  return combinations.flatMap((combination) =>
    Array.from({ length: trials }, () => {
      const params = { ...combination, ...Object.fromEntries(random.map(([path, draw]) => [path, drawFrom(draw, next)])) };
      const run = structuredClone(spec.base);
      for (const [path, value] of Object.entries(params)) setPath(run, path, structuredClone(value));
      return { params, spec: run };
    }),
  );
}

/** One value: an element of a list, or a number from a range (log-uniform when `log`, floored when `integer`). */
function drawFrom(draw: Draw, next: () => number): unknown {
  if (Array.isArray(draw)) return draw[Math.floor(next() * draw.length)];
  const { min, max, log, integer } = draw;
  const top = integer ? max + 1 : max; // [min, max + 1) floored gives every whole number in [min, max] its share
  const [lo, hi] = log ? [Math.log(min), Math.log(top)] : [min, top];
  const x = lo + next() * (hi - lo);
  const value = log ? Math.exp(x) : x;
  return Math.min(max, Math.max(min, integer ? Math.floor(value) : value));
}
