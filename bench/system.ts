// npm run bench:system — the benchmark of record for what a user sees: the built API and two workers on a
// private Postgres schema and Redis prefix, driven over HTTP, beside peers timed in the same run.
//
//   npm run bench:system                      # everything (≤ 15 min on 2 cores)
//   npm run bench:system -- --quick           # smaller sets and fewer runs, for development
//   npm run bench:system -- --only ingest     # one or more of ingest,train,queue
//   npm run bench:system -- --write           # also write bench/results/system.md
import { parseArgs } from 'node:util';
import { runSystemBench } from './system/run.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const phases = new Set((values.only ?? 'ingest,train,queue').split(',').map((p) => p.trim()));
for (const phase of phases) if (!['ingest', 'train', 'queue'].includes(phase)) throw new Error(`--only: unknown phase "${phase}" (ingest, train, queue)`);
await runSystemBench({ quick: values.quick, write: values.write, phases, args: process.argv.slice(2) });
