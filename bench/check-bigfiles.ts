// npm run check:bigfiles — a 2 GB zip of images uploaded and preprocessed, and a 100M-parameter adam run
// whose 1.2 GB checkpoint is written, its worker SIGKILLed, and the run resumed from it by a fresh worker;
// through the built API and workers, printing each process's resident-memory peak. Exits non-zero when a
// step fails or a peak passes the bound the README states.
//
//   npm run check:bigfiles                                   # full size (needs ~11 GB of free memory, ~10 GB of disk; bench/results/bigfiles.md)
//   npm run check:bigfiles -- --images 60 --units 1000       # smaller
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commonEnv, loadConfig } from '#libs/config';
import { formatReport, runBigFiles } from './big-files/scenario.js';

/** The README's bounds: growth over each process's idle peak while the phase runs. */
export const BOUNDS_MB = { apiUpload: 128, workerUpload: 384 };

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '680' },
    side: { type: 'string', default: '1000' },
    units: { type: 'string', default: '6100' },
    epochs: { type: 'string', default: '2' },
  },
});
const { DATABASE_URL, REDIS_URL } = loadConfig(z.object({ DATABASE_URL: commonEnv.DATABASE_URL, REDIS_URL: commonEnv.REDIS_URL }));
const report = await runBigFiles({
  images: Number(values.images),
  side: Number(values.side),
  inputSide: 128,
  run: { hiddenUnits: Number(values.units), epochs: Number(values.epochs) },
  databaseUrl: DATABASE_URL,
  redisUrl: REDIS_URL,
  // A killed worker's job is taken back after JOB_LOCK_MS: short, so the resume comes quickly.
  env: { TRAIN_BACKEND: 'auto', JOB_LOCK_MS: '5000', CHECKPOINT_SECONDS: '0' },
  log: (line) => console.log(`· ${line}`),
});
console.log(formatReport(report));
const problems = [
  report.datasetStatus !== 'READY' && `dataset ended ${report.datasetStatus}`,
  report.run?.status !== 'SUCCEEDED' && `run ended ${report.run?.status}`,
  (report.run?.attempt ?? 0) < 2 && 'the run was not resumed by a second attempt',
  ...report.uploadPeaks.map((p) => {
    const bound = p.process === 'api' ? BOUNDS_MB.apiUpload : BOUNDS_MB.workerUpload;
    return p.peakMb - p.beforeMb > bound && `${p.process} grew ${(p.peakMb - p.beforeMb).toFixed(0)} MiB during the upload (bound ${bound})`;
  }),
].filter(Boolean);
for (const problem of problems) console.error(`FAIL: ${problem}`);
process.exit(problems.length ? 1 : 0);
