import Table from 'cli-table3';

/** A boxed table for a terminal (the CLI and the demo); no colours, so what a terminal shows is what a pipe gets. */
export function textTable(head: string[], rows: (string | number)[][], align?: ('left' | 'right')[]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true }, ...(align ? { colAligns: align } : {}) });
  table.push(...rows.map((row) => row.map(String)));
  return table.toString();
}
