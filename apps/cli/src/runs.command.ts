import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { type CreateRunBody, formatEvaluation, type HistoryEntry, type MetricView, type RunQuery, type RunView, type TrainyardClient } from '#libs/client';
import { ACTIVATIONS, OPTIMIZERS, RUN_STATUSES } from '#libs/contracts';
import { CliError } from './cli-error.js';
import type { Connect } from './cli.config.js';
import { type ComparedMetric, comparisonTables } from './compare-tables.js';
import { decimal, integer, pageOptions, type PageOptions } from './options.js';
import { network, num, optimizer, pageLine, pct, print, printJson, seconds, table, when } from './output.js';
import { watchRun } from './run-watch.js';

type ListOptions = PageOptions & Omit<RunQuery, 'limit' | 'offset' | 'datasetId' | 'modelId'> & { dataset?: string; model?: string; json?: boolean };

export function runsCommand(connect: Connect): Command {
  const runs = new Command('runs').description('submit, search, follow, compare, cancel and evaluate training runs');

  runs
    .command('submit')
    .description('submit a run from a JSON spec (the body of POST /runs)')
    .argument('<spec.json>', 'the run spec: { datasetId, layers, optimizer, batchSize, epochs, … }')
    .option('--dataset <id>', "train on this dataset (replaces the spec's datasetId)")
    .option('--watch', 'print epochs and status changes as they happen, until the run ends')
    .option('--json', 'print the accepted run (or, with --watch, the ended run) as JSON')
    .action(async (file: string, options: { dataset?: string; watch?: boolean; json?: boolean }) => {
      const spec = await readSpec(file);
      const client = await connect();
      const { id, status } = await client.createRun({ ...spec, ...(options.dataset ? { datasetId: options.dataset } : {}) });
      if (!options.watch) return options.json ? printJson({ id, status }) : print(`run ${id} ${status}`);
      if (!options.json) print(`run ${id} ${status}; following it (Ctrl-C stops following, not the run)`);
      await follow(client, id, spec.epochs, options.json);
    });

  runs
    .command('watch')
    .description("follow a run's status changes and epochs as they happen (GET /runs/:id/events) until it ends")
    .argument('<id>')
    .option('--json', 'print only the ended run, as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await connect();
      await follow(client, id, (await client.getRun(id)).epochs, options.json);
    });

  pageOptions(
    runs
      .command('list')
      .description('search runs (GET /runs): filters, order and a page, as a table')
      .addOption(new Option('--status <status>').choices(RUN_STATUSES))
      .option('--dataset <id>', 'trained on this dataset')
      .option('--model <id>', 'training this model')
      .option('--created-by <keyId>', 'submitted by this API key')
      .addOption(new Option('--optimizer <name>').choices(OPTIMIZERS))
      .addOption(new Option('--activation <name>', 'a hidden layer uses it').choices(ACTIVATIONS))
      .option('--min-val-accuracy <x>', 'final validation accuracy at least x (0–1)', decimal)
      .option('--max-val-loss <x>', 'final validation loss at most x', decimal)
      .option('--from <time>', 'queued at or after (ISO 8601)')
      .option('--to <time>', 'queued at or before (ISO 8601)')
      .option('--order-by <order>', 'createdAt, valAccuracy, valLoss, accuracy or duration; a leading - sorts descending (default -createdAt)'),
  )
    .option('--json', 'print the page as JSON')
    .action(async ({ json, dataset, model, ...query }: ListOptions) => {
      const page = await (await connect()).listRuns({ ...query, datasetId: dataset, modelId: model } as RunQuery);
      if (json) return printJson(page);
      print(
        table(
          ['id', 'status', 'model', 'network', 'optimizer', 'epochs', 'val acc', 'val loss', 'duration', 'queued'],
          page.items.map((r) => [r.id, r.status, r.model.name, network(r), optimizer(r), `${r.final?.epoch ?? 0}/${r.epochs}`, pct(r.final?.valAccuracy), num(r.final?.valLoss), seconds(r.durationSeconds), when(r.queuedAt)]),
        ),
      );
      print(pageLine(page));
    });

  runs
    .command('show')
    .description('a run: hyperparameters, status, every epoch and its status history')
    .argument('<id>')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const run = await (await connect()).getRun(id);
      if (options.json) return printJson(run);
      print(runTable(run));
      if (run.metrics.length) print(table(['epoch', 'loss', 'accuracy', 'val loss', 'val acc', 'seconds', 'samples/s'], run.metrics.map((m) => [m.epoch, num(m.loss), pct(m.accuracy), num(m.valLoss), pct(m.valAccuracy), m.seconds.toFixed(2), Math.round(m.samplesPerSecond)])));
      print(table(['at', 'from', 'to', 'attempt', 'worker', 'message'], run.history.map((h) => [when(h.at), h.from ?? '-', h.to, h.attempt, h.workerId ?? '-', h.message ?? ''])));
    });

  runs
    .command('compare')
    .description('2–10 runs side by side (GET /runs/compare): the hyperparameters that differ, and a metric by epoch')
    .argument('<ids...>', 'run ids')
    .addOption(new Option('--metric <name>', 'the metric shown by epoch').choices(['valAccuracy', 'valLoss', 'accuracy', 'loss']).default('valAccuracy'))
    .option('--every <n>', 'show every n-th epoch (and the last)', integer, 1)
    .option('--json', 'print the comparison as JSON')
    .action(async (ids: string[], options: { metric: ComparedMetric; every: number; json?: boolean }) => {
      const comparison = await (await connect()).compareRuns(ids);
      if (options.json) return printJson(comparison);
      print(comparisonTables(comparison, { metric: options.metric, every: Math.max(1, options.every) }));
    });

  runs
    .command('cancel')
    .description('stop a queued or running run (it ends CANCELLED, its metrics so far kept)')
    .argument('<id>')
    .action(async (id: string) => {
      const run = await (await connect()).cancelRun(id);
      print(`run ${id} ${run.status}`);
    });

  runs
    .command('eval')
    .description("a succeeded run's evaluation on its dataset's test split: confusion matrix and per-class scores")
    .argument('<id>')
    .option('--json', 'print the evaluation as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const evaluation = await (await connect()).getEvaluation(id);
      if (options.json) return printJson(evaluation);
      print(formatEvaluation(evaluation));
    });

  return runs;
}

/** Prints a run's events until it ends, then its result; exits 1 unless it SUCCEEDED. */
async function follow(client: TrainyardClient, id: string, epochs: number, json = false): Promise<void> {
  const run = await watchRun(client, id, json ? { epoch: () => {}, status: () => {} } : { epoch: (m) => print(epochLine(m, epochs)), status: (h) => print(statusLine(h)) });
  if (json) printJson(run);
  else print(endLine(run));
  if (run.status !== 'SUCCEEDED') throw new CliError(`run ${id} ended ${run.status}${run.error ? `: ${run.error}` : ''}`);
}

async function readSpec(file: string): Promise<CreateRunBody> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as CreateRunBody;
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

const epochLine = (m: MetricView, epochs: number) =>
  `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs}  loss ${num(m.loss)}  acc ${pct(m.accuracy)}  val_loss ${num(m.valLoss)}  val_acc ${pct(m.valAccuracy)}  ${m.seconds.toFixed(2)} s`;

const statusLine = (h: HistoryEntry) =>
  `status ${h.from ? `${h.from} → ` : ''}${h.to} (attempt ${h.attempt}${h.workerId ? `, worker ${h.workerId}` : ''})${h.message ? `: ${h.message}` : ''}`;

function endLine(run: RunView): string {
  const final = run.final ? `, val_acc ${pct(run.final.valAccuracy)} after ${run.final.epoch} epochs` : '';
  const version = run.modelVersion ? `, model ${run.model.name} v${run.modelVersion.version}` : '';
  return `run ${run.id} ${run.status}${final}${version} (${seconds(run.durationSeconds)} training)`;
}

function runTable(run: RunView): string {
  const rows: [string, string | number][] = [
    ['id', run.id],
    ['status', run.status + (run.waiting ? ` (#${run.waiting.position}: ${run.waiting.reason})` : '')],
    ['model', `${run.model.name}${run.modelVersion ? ` v${run.modelVersion.version}` : ''} (${run.model.id})`],
    ['dataset', run.datasetId ?? '(deleted)'],
    ['network', network(run)],
    ['optimizer', optimizer(run) + (run.optimizer.weightDecay ? `, weight decay ${run.optimizer.weightDecay}` : '')],
    ['batch size, epochs, seed', `${run.batchSize}, ${run.epochs}, ${run.seed}`],
    ['loss', run.loss],
    ['final', run.final ? `epoch ${run.final.epoch}: loss ${num(run.final.loss)}, acc ${pct(run.final.accuracy)}, val_loss ${num(run.final.valLoss)}, val_acc ${pct(run.final.valAccuracy)}` : '-'],
    ['duration', seconds(run.durationSeconds)],
    ['attempt, worker, backend', `${run.attempt}, ${run.workerId ?? '-'}, ${run.backend ?? '-'}`],
    ['queued, started, finished', `${when(run.queuedAt)}, ${when(run.startedAt)}, ${when(run.finishedAt)}`],
    ['created by', run.createdBy?.name ?? '-'],
  ];
  if (run.error) rows.push(['error', run.error]);
  return table(['run', ''], rows);
}
