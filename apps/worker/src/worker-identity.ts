import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { selectBackend } from '#libs/engine';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';

/** Who this process is: a unique id for run history and its compute backend. */
@Injectable()
export class WorkerIdentity {
  readonly id: string;
  backend = 'unknown';
  device = 'unknown';
  gpu = false;

  constructor(@Inject(WORKER_CONFIG) readonly config: WorkerConfig) {
    this.id = `${config.WORKER_NAME}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Loads the backend once at start, so a worker that cannot train says so before taking jobs. */
  async detectBackend(): Promise<void> {
    const backend = await selectBackend(this.config.TRAIN_BACKEND);
    this.backend = backend.name;
    this.device = backend.device;
    this.gpu = backend.gpu;
  }
}
