/** A sweep that cannot make its runs: `path` names the swept path at fault. */
export class SweepPathError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'SweepPathError';
  }
}

// Keys that would reach an object's prototype instead of setting a field.
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] => typeof value === 'object' && value !== null;

/**
 * Puts `value` at a dotted `path` of `target`, in place. Everything above the last segment must already be in
 * the base spec: an object may gain a new key (optimizer.weightDecay), an array may not gain an element
 * (layers.1.units needs a second layer in base), so a typo fails instead of building a different network.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let cursor: Record<string, unknown> | unknown[] = target;
  segments.forEach((segment, i) => {
    const at = segments.slice(0, i + 1).join('.');
    if (FORBIDDEN.has(segment)) throw new SweepPathError(path, `"${segment}" is not a field of a run spec`);
    if (Array.isArray(cursor)) {
      const index = Number(segment);
      if (!Number.isInteger(index) || index >= cursor.length) throw new SweepPathError(path, `${at} is not in base (${segments.slice(0, i).join('.')} has ${cursor.length} element${cursor.length === 1 ? '' : 's'})`);
    }
    const container = cursor as Record<string, unknown>;
    if (i === segments.length - 1) {
      container[segment] = value;
      return;
    }
    const next = Object.hasOwn(container, segment) ? container[segment] : undefined;
    if (!isContainer(next)) throw new SweepPathError(path, `${at} is not an object or array in base`);
    cursor = next;
  });
}

/** The value at a dotted path, or undefined where the path leads nowhere. */
export function getPath(source: unknown, path: string): unknown {
  let cursor = source;
  for (const segment of path.split('.')) {
    if (!isContainer(cursor) || !Object.hasOwn(cursor, segment)) return undefined;
    cursor = (cursor as Record<string, unknown>)[segment];
  }
  return cursor;
}

/** Refuses a path given twice (in grid and random) or inside another (optimizer and optimizer.learningRate): one would undo the other. */
export function assertDisjoint(paths: string[]): void {
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const [before, path] = [sorted[i - 1]!, sorted[i]!];
    if (path === before) throw new SweepPathError(path, 'is swept twice (in grid and in random)');
  }
  for (const outer of sorted) {
    const inner = sorted.find((path) => path.startsWith(`${outer}.`));
    if (inner) throw new SweepPathError(inner, `lies inside ${outer}, which is swept too`);
  }
}
