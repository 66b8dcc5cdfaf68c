#!/usr/bin/env node
import { Command } from 'commander';
import { describeError, oneLine } from './cli-error.js';
import { type CliConfig, connect, loadCliConfig } from './cli.config.js';
import { datasetsCommand } from './datasets.command.js';
import { modelsCommand } from './models.command.js';
import { runsCommand } from './runs.command.js';
import { workersCommand } from './workers.command.js';

// `trainyard`: the HTTP API from a terminal. Any failure ends with exit code 1 and one line on stderr.
let config: CliConfig | undefined;
const client = () => connect((config ??= loadCliConfig()));

const program = new Command('trainyard')
  .description('Trainyard from a terminal: datasets, runs, models and workers through the HTTP API.\nTRAINYARD_URL (default http://127.0.0.1:3000) and TRAINYARD_API_KEY (default: the saved admin key) say where and as whom.')
  .addCommand(datasetsCommand(client))
  .addCommand(runsCommand(client))
  .addCommand(modelsCommand(client))
  .addCommand(workersCommand(client));

// commander's own errors (unknown command or option, bad value) on one line too, suggestion included.
const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
for (const command of everyCommand(program)) {
  command.configureOutput({ outputError: (text, write) => write(`trainyard: ${oneLine(text.replace(/^error: /, ''))}\n`) });
}

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`trainyard: ${describeError(error, config?.TRAINYARD_URL)}\n`);
  process.exitCode = 1;
}
