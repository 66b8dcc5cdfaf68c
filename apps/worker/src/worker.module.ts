import { type DynamicModule, Module } from '@nestjs/common';
import { logOptions } from '#libs/config';
import { DatabaseModule } from '#libs/database';
import { loggingModule } from '#libs/logging';
import { QueueModule } from '#libs/queue';
import { HeartbeatService } from './heartbeat.service.js';
import { JOB_HANDLERS } from './job-handler.js';
import { JobRunner } from './job-runner.service.js';
import { DatasetArchive } from './preprocess/dataset-archive.js';
import { PreprocessChunkHandler } from './preprocess/preprocess-chunk.handler.js';
import { PreprocessDatasetHandler } from './preprocess/preprocess-dataset.handler.js';
import { Reconciler } from './reconciler/reconciler.service.js';
import { RunLedger } from './train/run-ledger.js';
import { RunQuota } from './train/run-quota.js';
import { SweepLimit } from './train/sweep-limit.js';
import { Cancellations } from './train/cancellations.js';
import { TrainRunHandler } from './train/train-run.handler.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerIdentity } from './worker-identity.js';
import { WorkerLifecycle } from './worker-lifecycle.js';
import { WorkerMetrics } from './worker-metrics.js';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        loggingModule(logOptions(config)),
        DatabaseModule.forRoot(config.DATABASE_URL),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        WorkerIdentity,
        WorkerMetrics,
        HeartbeatService,
        RunLedger,
        RunQuota,
        SweepLimit,
        Cancellations,
        DatasetArchive,
        PreprocessDatasetHandler,
        PreprocessChunkHandler,
        TrainRunHandler,
        {
          provide: JOB_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [PreprocessDatasetHandler, PreprocessChunkHandler, TrainRunHandler],
        },
        JobRunner,
        Reconciler,
        WorkerLifecycle,
      ],
    };
  }
}
