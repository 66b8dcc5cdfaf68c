import { type DynamicModule, Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { logOptions } from '#libs/config';
import { DatabaseModule } from '#libs/database';
import { loggingModule } from '#libs/logging';
import { QueueModule } from '#libs/queue';
import { API_CONFIG, type ApiConfig } from './api.config.js';
import { AuthModule } from './auth/auth.module.js';
import { DatasetsController } from './datasets/datasets.controller.js';
import { DatasetsService } from './datasets/datasets.service.js';
import { SamplesController } from './datasets/samples.controller.js';
import { SamplesService } from './datasets/samples.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { EventsController } from './events/events.controller.js';
import { EventsService } from './events/events.service.js';
import { LiveStreams } from './events/live-streams.js';
import { HealthModule } from './health/health.module.js';
import { FailFastRedisModule } from './redis/fail-fast-redis.js';
import { ModelExportService } from './models/model-export.service.js';
import { ModelVersions } from './models/model-versions.js';
import { ModelVersionsController } from './models/model-versions.controller.js';
import { ModelsController } from './models/models.controller.js';
import { ModelsService } from './models/models.service.js';
import { PredictionPool } from './models/prediction-pool.js';
import { WeightsCache } from './models/weights-cache.js';
import { EvaluationsController } from './runs/evaluations.controller.js';
import { EvaluationsService } from './runs/evaluations.service.js';
import { RunsController } from './runs/runs.controller.js';
import { RunsService } from './runs/runs.service.js';
import { BlobSweeper } from './storage/blob-sweeper.js';
import { RunWaitingService } from './runs/run-waiting.js';
import { SweepsController } from './sweeps/sweeps.controller.js';
import { SweepsService } from './sweeps/sweeps.service.js';
import { WorkersController } from './workers/workers.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule(logOptions(config)),
        DatabaseModule.forRoot(config.DATABASE_URL),
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, failFast: true }),
        AuthModule.forRoot(config),
        FailFastRedisModule.forRoot(config.REDIS_URL),
        HealthModule,
        MulterModule.register({ limits: { fileSize: config.MAX_UPLOAD_MB * 1024 * 1024, files: config.MAX_UPLOAD_FILES } }),
      ],
      controllers: [DatasetsController, SamplesController, RunsController, EvaluationsController, ModelsController, ModelVersionsController, SweepsController, WorkersController, MetricsController, EventsController],
      providers: [{ provide: API_CONFIG, useValue: config }, DatasetsService, SamplesService, RunsService, RunWaitingService, SweepsService, EvaluationsService, ModelsService, ModelVersions, ModelExportService, PredictionPool, WeightsCache, MetricsService, BlobSweeper, LiveStreams, EventsService],
    };
  }
}
