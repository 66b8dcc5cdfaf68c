import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import type { DatasetView, TrainyardClient, UploadFields } from '#libs/client';
import { CliError } from './cli-error.js';
import type { Connect } from './cli.config.js';
import { zipFolder } from './folder-zip.js';
import { integer, pageOptions, type PageOptions } from './options.js';
import { pageLine, print, printJson, table, when } from './output.js';

/** The upload's fields as the generated client types them; the two booleans are flags here. */
type UploadOptions = Omit<UploadFields, 'failOnBadFile' | 'force' | 'fileName'> & { failOnBadFile?: boolean; force?: boolean; wait?: boolean; json?: boolean };

export function datasetsCommand(connect: Connect): Command {
  const datasets = new Command('datasets').description('upload and list datasets');

  datasets
    .command('upload')
    .description('upload a zip, or a folder (zipped on the fly) of class folders of images or images with a labels.csv')
    .argument('<zip|folder>', 'a .zip file or a folder')
    .option('--name <name>', 'dataset name (default: the file name)')
    .option('--width <n>', 'target width in pixels (default 128)', integer)
    .option('--height <n>', 'target height in pixels (default 128)', integer)
    .addOption(new Option('--channels <n>', '1 = grayscale, 3 = RGB (default 1)').choices(['1', '3']).argParser(Number))
    .addOption(new Option('--fit <fit>', 'how an image fills width × height (default fill)').choices(['fill', 'contain', 'cover']))
    .option('--background <color>', 'behind transparent pixels and around a contained image (default #ffffff)')
    .option('--mean <list>', 'per channel: activation = (byte / 255 − mean) / std, e.g. 0.5,0.5,0.5')
    .option('--std <list>', 'per channel, see --mean')
    .option('--round <decimals>', 'round each activation to this many decimals', integer)
    .option('--split <train,validation,test>', 'split fractions (default 0.8,0.1,0.1)')
    .option('--seed <n>', 'seeds the split (default 0)', integer)
    .option('--fail-on-bad-file', 'one unreadable image fails the dataset instead of being skipped')
    .option('--force', 'store it even if the same content and spec were uploaded before')
    .option('--wait', 'wait until preprocessing ends, with a progress bar')
    .option('--json', 'print the dataset as JSON')
    .action(async (path: string, options: UploadOptions) => {
      const client = await connect();
      const { id, existing } = await upload(client, path, options);
      if (!options.wait) {
        if (options.json) printJson({ existing, ...(await client.getDataset(id)) });
        else print(`dataset ${id} ${existing ? 'was uploaded before (same content and spec)' : 'accepted'}; trainyard datasets upload --wait, or GET /datasets/${id}, follows it`);
        return;
      }
      const dataset = await waitWithProgress(client, id);
      if (options.json) printJson(dataset);
      else print(summary(dataset));
      if (dataset.status === 'FAILED') throw new CliError(`dataset ${id} FAILED: ${dataset.error ?? 'no reason given'}`);
    });

  pageOptions(datasets.command('list').description('datasets, newest first'))
    .option('--json', 'print the page as JSON')
    .action(async (options: PageOptions & { json?: boolean }) => {
      const page = await (await connect()).listDatasets({ limit: options.limit, offset: options.offset });
      if (options.json) return printJson(page);
      print(table(['id', 'name', 'status', 'size', 'samples', 'classes', 'created'], page.items.map((d) => [d.id, d.name, d.status, `${d.width}×${d.height}×${d.channels}`, d.numSamples, d.classes.join(', '), when(d.createdAt)])));
      print(pageLine(page));
    });

  return datasets;
}

async function upload(client: TrainyardClient, path: string, { wait: _wait, json: _json, failOnBadFile, force, ...spec }: UploadOptions) {
  const fields: UploadFields = { ...spec, failOnBadFile: failOnBadFile ? 'true' : undefined, force: force ? 'true' : undefined };
  if (!(await stat(path)).isDirectory()) return client.uploadDataset(await openAsBlob(path), { name: basename(path).replace(/\.zip$/i, ''), ...fields, fileName: basename(path) });
  const zip = await zipFolder(path);
  try {
    return await client.uploadDataset(await openAsBlob(zip.path), { name: basename(path), ...fields, fileName: `${basename(path)}.zip` });
  } finally {
    await zip.remove();
  }
}

/**
 * Polls the dataset until it is READY or FAILED, drawing `progress: { stored, of }` as a bar on stderr
 * (redrawn in a terminal, a line a second in a pipe); the bar starts once the image count is known.
 */
async function waitWithProgress(client: TrainyardClient, id: string): Promise<DatasetView> {
  const bar = new SingleBar({ format: 'preprocessing [{bar}] {percentage}% | {value}/{total} images', noTTYOutput: true, notTTYSchedule: 1000 }, Presets.shades_classic);
  let started = false;
  try {
    for (;;) {
      const dataset = await client.getDataset(id);
      const total = dataset.progress?.of ?? dataset.imageCount;
      if (!started && total > 0 && dataset.status !== 'FAILED') {
        bar.start(total, 0);
        started = true;
      }
      if (started) {
        bar.setTotal(total);
        bar.update(dataset.status === 'READY' ? total : (dataset.progress?.stored ?? 0));
      }
      if (dataset.status === 'READY' || dataset.status === 'FAILED') return dataset;
      await sleep(300);
    }
  } finally {
    if (started) bar.stop();
  }
}

function summary(d: DatasetView): string {
  const split = d.counts?.perSplit;
  const parts = [
    `dataset ${d.id} ${d.status}`,
    `${d.numSamples} samples${split ? ` (${split.train} train, ${split.validation} validation, ${split.test} test)` : ''} of ${d.width}×${d.height}×${d.channels}`,
    `classes ${d.classes.join(', ')}`,
    ...(d.skipped.length ? [`${d.skipped.length} files skipped (--json says why)`] : []),
  ];
  return parts.join(', ');
}
