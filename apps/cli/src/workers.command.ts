import { Command } from 'commander';
import type { Connect } from './cli.config.js';
import { pageOptions, type PageOptions } from './options.js';
import { print, printJson, table, when } from './output.js';

export function workersCommand(connect: Connect): Command {
  return pageOptions(new Command('workers').description('live workers: backend, device, current job, last heartbeat'))
    .option('--json', 'print the page as JSON')
    .action(async ({ json, ...query }: PageOptions & { json?: boolean }) => {
      const page = await (await connect()).listWorkers(query);
      if (json) return printJson(page);
      const age = (iso: string) => `${((Date.now() - Date.parse(iso)) / 1000).toFixed(0)} s ago`;
      print(table(['id', 'host', 'pid', 'backend', 'device', 'gpu', 'current job', 'started', 'heartbeat'], page.items.map((w) => [w.id, w.host, w.pid, w.backend, w.device, w.gpu ? 'yes' : 'no', w.currentJob ?? '-', when(w.startedAt), age(w.lastHeartbeatAt)])));
      print(`${page.total} live worker${page.total === 1 ? '' : 's'}`);
    });
}
