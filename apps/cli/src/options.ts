import { type Command, InvalidArgumentError } from 'commander';

// Parsers for option values: commander reports their errors as one line naming the option.

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer.');
  return n;
}

export function decimal(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('not a number.');
  return n;
}

export interface PageOptions {
  limit?: number;
  offset?: number;
}

/** `--limit` and `--offset`, as every list route takes them. */
export const pageOptions = (command: Command) =>
  command.option('--limit <n>', 'items per page (1–500, default 50)', integer).option('--offset <n>', 'items to skip', integer);
