import type { CreateRunBody, MetricView, RunView } from '#libs/client';
import { QueueName } from '#libs/contracts';
import type { PrismaClient } from '#libs/database';
import type { JobQueue } from '#libs/queue';
import type { Answer } from './probe.js';
import type { Fault } from './monkey.js';

/** One chaos run beside the uninterrupted reference run with the same spec and seed. */
export interface RunPair {
  spec: CreateRunBody;
  chaos: RunView;
  reference: RunView;
}

const METRICS = ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const;

/** Same final metrics: bit for bit with sgd and momentum, to ~1e-7 with adam and rmsprop (README). */
export function sameFinal(a: MetricView | undefined, b: MetricView | undefined): boolean {
  if (!a || !b) return false;
  return METRICS.every((key) => {
    const [x, y] = [a[key], b[key]];
    if (x === null || y === null) return x === y;
    return Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x));
  });
}

export interface Verdict {
  lines: string[];
  problems: string[];
}

/** Checks every run, dataset, row and job after the chaos, and renders the table. */
export async function judge(input: {
  pairs: RunPair[];
  datasets: { id: string; name: string; status: string }[];
  prisma: PrismaClient;
  jobs: JobQueue;
  answers: Answer[];
  faults: Fault[];
  checkpointsKept: number;
}): Promise<Verdict> {
  const { pairs, prisma } = input;
  const problems: string[] = [];
  const lines: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  lines.push(`${pad('run', 10)}${pad('optimizer', 10)}${pad('layers', 22)}${pad('status', 11)}${pad('rows/epochs', 13)}${pad('attempts', 10)}${pad('final loss chaos', 18)}${pad('reference', 18)}equal`);
  for (const { spec, chaos, reference } of pairs) {
    const rows = chaos.metrics.map((m) => m.epoch);
    const exact = rows.length === chaos.epochs && rows.every((epoch, i) => epoch === i + 1);
    const equal = sameFinal(chaos.metrics.at(-1), reference.metrics.at(-1));
    const layers = spec.layers.map((l) => `${l.units}${l.activation.slice(0, 4)}`).join('-');
    lines.push(
      `${pad(chaos.id.slice(0, 8), 10)}${pad(spec.optimizer.name, 10)}${pad(layers, 22)}${pad(chaos.status, 11)}${pad(`${rows.length}/${chaos.epochs}`, 13)}${pad(chaos.attempt, 10)}` +
        `${pad(chaos.metrics.at(-1)?.loss.toFixed(9) ?? '-', 18)}${pad(reference.metrics.at(-1)?.loss.toFixed(9) ?? '-', 18)}${equal ? 'yes' : 'NO'}`,
    );
    if (chaos.status !== 'SUCCEEDED') problems.push(`run ${chaos.id} ended ${chaos.status}: ${chaos.error}`);
    if (!exact) problems.push(`run ${chaos.id} has metric rows for epochs [${rows.join(',')}], not 1..${chaos.epochs}`);
    if (!equal) problems.push(`run ${chaos.id} ended with metrics different from its uninterrupted reference ${reference.id}`);
    if (reference.status !== 'SUCCEEDED') problems.push(`reference run ${reference.id} ended ${reference.status}`);
  }

  lines.push('', 'datasets:');
  for (const dataset of input.datasets) {
    const row = await prisma.dataset.findUnique({ where: { id: dataset.id } });
    const samples = await prisma.sample.count({ where: { datasetId: dataset.id } });
    lines.push(`  ${pad(dataset.name, 14)}${pad(row?.status ?? 'gone', 10)}${samples} samples stored, ${row?.numSamples ?? 0} reported`);
    if (row?.status !== 'READY') problems.push(`dataset ${dataset.name} is ${row?.status ?? 'gone'}: ${row?.error}`);
    if (samples !== row?.numSamples) problems.push(`dataset ${dataset.name} stores ${samples} samples but reports ${row?.numSamples}`);
  }

  // Orphans: rows no clean execution would leave, and jobs still waiting for something.
  const ids = pairs.flatMap((p) => [p.chaos.id, p.reference.id]);
  const runs = await prisma.run.findMany({ where: { id: { in: ids } }, include: { metrics: { select: { epoch: true } }, checkpoints: { select: { epoch: true } }, events: true, modelVersion: true } });
  const orphans = {
    metricsPastEnd: runs.reduce((n, r) => n + r.metrics.filter((m) => m.epoch > r.epochs).length, 0),
    extraCheckpoints: runs.reduce((n, r) => n + Math.max(0, r.checkpoints.length - input.checkpointsKept), 0),
    runsWithoutVersion: runs.filter((r) => r.status === 'SUCCEEDED' && !r.modelVersion).length,
    endedTwice: runs.filter((r) => r.events.filter((e) => e.toStatus === 'SUCCEEDED').length > 1).length,
    runsNotEnded: await prisma.run.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } }),
    datasetsNotEnded: await prisma.dataset.count({ where: { status: { in: ['PENDING', 'PROCESSING'] } } }),
  };
  const jobs: Record<string, number> = {};
  for (const queue of Object.values(QueueName)) {
    const counts = await input.jobs.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
    for (const [state, n] of Object.entries(counts)) if (n) jobs[`${queue}:${state}`] = n;
  }
  lines.push('', `orphan rows: ${JSON.stringify(orphans)}`, `unfinished or failed jobs in Redis: ${JSON.stringify(jobs)}`);
  for (const [what, n] of Object.entries(orphans)) if (n) problems.push(`${n} × ${what}`);
  for (const [what, n] of Object.entries(jobs)) problems.push(`${n} job(s) left ${what}`);

  const outage = (at: number) => input.faults.some((f) => f.outageUntil && at >= f.at - 1_000 && at <= f.outageUntil);
  const fivexx = input.answers.filter((a) => a.status >= 500 || a.status === 0);
  const inOutage = fivexx.filter((a) => a.status === 503 && outage(a.at));
  const stray = fivexx.filter((a) => !inOutage.includes(a));
  lines.push(
    '',
    `API answers: ${input.answers.length}; 5xx: ${fivexx.length} (${inOutage.length} × 503 during outages, ${stray.length} other)`,
    ...stray.slice(0, 10).map((a) => `  ${a.status} ${a.path} at +${a.at}`),
    '',
    ...faultTable(input.faults),
  );
  if (stray.length) problems.push(`${stray.length} API answer(s) were 5xx outside an outage, or not 503`);
  problems.push(...faultProblems(input.faults));
  return { lines, problems };
}

/** Each fault with the live work it hit: what was RUNNING (and mid-training), QUEUED and processing. */
export function faultTable(faults: Fault[]): string[] {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  return [
    `faults (${faults.length}), with the work live when each hit:`,
    `  ${pad('time', 10)}${pad('fault', 23)}${pad('RUNNING', 9)}${pad('mid-train', 11)}${pad('QUEUED', 8)}${pad('datasets', 10)}detail`,
    ...faults.map(
      (f) =>
        `  ${pad(new Date(f.at).toISOString().slice(11, 19), 10)}${pad(f.kind, 23)}${pad(f.hit.running, 9)}${pad(f.hit.midTraining, 11)}${pad(f.hit.queued, 8)}${pad(f.hit.processingDatasets, 10)}${f.detail}`,
    ),
  ];
}

/** The restarts must each have happened with runs mid-training, and some SIGKILL must have hit a training worker. */
export function faultProblems(faults: Fault[]): string[] {
  const problems: string[] = [];
  for (const kind of ['Redis restarted empty', 'Postgres restarted'] as const) {
    const fault = faults.find((f) => f.kind === kind);
    if (!fault) problems.push(`${kind} never happened: the runs ended before it found one mid-training`);
    else if (!fault.hit.midTraining) problems.push(`${kind} hit no run mid-training (${fault.hit.running} RUNNING)`);
  }
  const kills = faults.filter((f) => f.kind === 'worker SIGKILL');
  if (!kills.some((f) => f.victim)) problems.push(`none of the ${kills.length} SIGKILLs hit a worker while it was training a run`);
  return problems;
}
