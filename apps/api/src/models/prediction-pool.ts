import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { DomainError } from '../http/domain-error.js';
import type { ThreadFunctions } from './prediction-task.js';

// Prediction threads yield the CPU to the event loop's thread: a busy pool must not slow every other request.
const THREAD_NICE = 10;
// An idle API holds no threads (each loads tfjs and sharp) after this long.
const IDLE_MS = 60_000;
// On shutdown, running predictions get this long to finish before their threads are stopped.
const CLOSE_MS = 10_000;

/**
 * The threads that run predictions and inspections (decoding, activations, forward pass): PREDICT_THREADS
 * of them, at most PREDICT_QUEUE requests waiting, and a 503 past that instead of an unbounded queue.
 */
@Injectable()
export class PredictionPool implements OnApplicationShutdown {
  private readonly pool: Piscina;
  /** Requests running or waiting; counted here, since piscina also queues tasks while a thread starts. */
  private inFlight = 0;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    this.pool = new Piscina({
      filename: threadEntry(),
      minThreads: 0,
      maxThreads: config.PREDICT_THREADS,
      idleTimeout: IDLE_MS,
      niceIncrement: THREAD_NICE,
      closeTimeout: CLOSE_MS,
    });
  }

  /** 503 now when no more requests may wait, before the caller loads anything for one. */
  assertRoom(): void {
    if (this.inFlight >= this.config.PREDICT_THREADS + this.config.PREDICT_QUEUE) {
      throw new DomainError('UNAVAILABLE', `prediction is busy: ${this.config.PREDICT_QUEUE} requests already wait for the ${this.config.PREDICT_THREADS} prediction thread(s) (PREDICT_QUEUE, PREDICT_THREADS); try again shortly`);
    }
  }

  /** Runs the thread's function `name` on `task`, once a thread is free. */
  async run<N extends keyof ThreadFunctions>(name: N, task: ThreadFunctions[N]['task']): Promise<ThreadFunctions[N]['outcome']> {
    this.assertRoom();
    this.inFlight++;
    try {
      return (await this.pool.run(task, { name })) as ThreadFunctions[N]['outcome'];
    } finally {
      this.inFlight--;
    }
  }

  /** The live threads, for tests that check none outlives the app. */
  get threads() {
    return this.pool.threads;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

/** The built thread module: beside this file in dist, or dist's copy when the sources run under jest. */
function threadEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'prediction.thread.js');
  let root = dirname(here);
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return join(root, 'dist', 'apps', 'api', 'src', 'models', 'prediction.thread.js');
}
