import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The built apps; `npm run build` puts them here. */
const ROOT = findRoot(import.meta.dirname);
export const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');

function findRoot(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}

/** A started app process; its output is kept so a failure can show what it said. */
export class AppProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    echo: boolean,
  ) {
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output.push(text);
      if (this.output.length > 500) this.output.shift();
      if (echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when a line matching `pattern` is printed; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.output.join(''))) return finish();
        if (!this.running) return finish(new Error(`${this.name} exited before it was ready:\n${this.tail()}`));
      };
      const timer = setTimeout(() => finish(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', check);
        if (error) reject(error);
        else resolve();
      };
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.on('exit', check);
      check();
    });
  }

  /** Asks the process to stop (SIGTERM), then kills it if it has not exited in time. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  tail(lines = 40): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}

function start(name: string, main: string, env: Record<string, string>, echo: boolean): AppProcess {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new AppProcess(name, child, echo);
}

/** Starts the API (PORT=0 picks a free port) and resolves with the process and its base URL. */
export async function startApi(env: Record<string, string>, echo = false): Promise<{ api: AppProcess; url: string }> {
  const api = start('api', API_MAIN, env, echo);
  await api.waitFor(/Trainyard API listening on \S+:\d+/);
  const port = /Trainyard API listening on \S+:(\d+)/.exec(api.output.join(''))![1];
  return { api, url: `http://127.0.0.1:${port}` };
}

export async function startWorker(env: Record<string, string>, name = 'worker', echo = false): Promise<AppProcess> {
  const worker = start(name, WORKER_MAIN, env, echo);
  await worker.waitFor(/ready \(backend/);
  return worker;
}
