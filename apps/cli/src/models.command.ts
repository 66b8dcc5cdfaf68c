import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { CliError } from './cli-error.js';
import type { Connect } from './cli.config.js';
import { pageOptions, type PageOptions } from './options.js';
import { pageLine, pct, print, printJson, table, when } from './output.js';

export function modelsCommand(connect: Connect): Command {
  const models = new Command('models').description('list, inspect and export trained models');

  pageOptions(models.command('list').description('models, with their latest version'))
    .option('--json', 'print the page as JSON')
    .action(async ({ json, ...query }: PageOptions & { json?: boolean }) => {
      const page = await (await connect()).listModels(query);
      if (json) return printJson(page);
      print(table(['id', 'name', 'runs', 'latest version', 'created', 'created by'], page.items.map((m) => [m.id, m.name, m.runs, m.latestVersion ? `v${m.latestVersion.version} (${when(m.latestVersion.createdAt)})` : '-', when(m.createdAt), m.createdBy?.name ?? '-'])));
      print(pageLine(page));
    });

  models
    .command('show')
    .description("a model's versions: aliases, parameters, validation and test accuracy, the run that trained each")
    .argument('<id>')
    .option('--json', 'print the model as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const model = await (await connect()).getModel(id);
      if (options.json) return printJson(model);
      print(`model ${model.name} (${model.id}), ${model.versions.length} versions`);
      print(table(['version', 'aliases', 'parameters', 'val acc', 'test acc', 'run', 'created'], model.versions.map((v) => [v.version, v.aliases.map((a) => `@${a}`).join(' '), v.parameters, pct(v.finalMetrics?.valAccuracy), pct(v.lineage.test?.accuracy), v.runId ?? '(deleted)', when(v.createdAt)])));
    });

  models
    .command('export')
    .description('write a version as model.json + weights.bin (TensorFlow.js Layers format, for tf.loadLayersModel)')
    .argument('<id>', 'the model id')
    .option('--version <v>', 'a version number or @alias (default: the newest version)')
    .requiredOption('-o, --out <dir>', 'the folder to write model.json and weights.bin into')
    .action(async (id: string, options: { version?: string; out: string }) => {
      const client = await connect();
      const version = options.version ?? (await newestVersion(client, id));
      const json = await client.modelJson(id, version);
      const weights = await client.weightsBin(id, version);
      await mkdir(options.out, { recursive: true });
      await writeFile(join(options.out, 'model.json'), JSON.stringify(json));
      const bin = createWriteStream(join(options.out, 'weights.bin'));
      await pipeline(Readable.fromWeb(weights as import('node:stream/web').ReadableStream), bin);
      print(`wrote ${join(options.out, 'model.json')} and ${join(options.out, 'weights.bin')} (${bin.bytesWritten} bytes): model ${id} version ${version}`);
    });

  return models;
}

async function newestVersion(client: Awaited<ReturnType<Connect>>, id: string): Promise<number> {
  const versions = (await client.getModel(id)).versions.map((v) => v.version);
  if (!versions.length) throw new CliError(`model ${id} has no versions yet: no run of it has succeeded`);
  return Math.max(...versions);
}
