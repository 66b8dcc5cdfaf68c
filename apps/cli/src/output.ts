import type { RunSummary } from '#libs/client';

// How the CLI prints: tables for people, JSON (`--json`) for scripts, numbers formatted one way everywhere.

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

export { textTable as table } from '#libs/client';

export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
export const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '-' : x.toFixed(digits));
export const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export function seconds(total: number): string {
  if (total < 60) return `${total.toFixed(1)} s`;
  const m = Math.floor(total / 60);
  return m < 60 ? `${m}m ${String(Math.round(total % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export const network = (run: Pick<RunSummary, 'layers'>) => run.layers.map((l) => `${l.units} ${l.activation}${l.bias === false ? ' (no bias)' : ''}`).join(' → ');
export const optimizer = (run: Pick<RunSummary, 'optimizer'>) => `${run.optimizer.name} ${run.optimizer.learningRate}`;

/** The line under a list's table: which items of how many. */
export const pageLine = (page: { total: number; offset: number; items: unknown[] }) =>
  `${page.items.length ? `${page.offset + 1}–${page.offset + page.items.length}` : 'none'} of ${page.total}`;
