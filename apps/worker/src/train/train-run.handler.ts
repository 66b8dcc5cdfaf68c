import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError, WaitingError } from 'bullmq';
import { type Architecture, type EarlyStopping, type JobData, JobName, type LayerSpec, layerBias, type Loss, type OptimizerSpec } from '#libs/contracts';
import { DatasetStatus, SampleStore } from '#libs/database';
import { type EpochResult, SPLIT_CODE, stripOptimizerState } from '#libs/engine';
import { activationTable, storedSpec } from '#libs/preprocess';
import type { JobContext, JobHandler } from '../job-handler.js';
import { WorkerIdentity } from '../worker-identity.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { Cancellations } from './cancellations.js';
import { type Lineage, LostRunError, type RunClaim, RunLedger } from './run-ledger.js';
import { RunQuota } from './run-quota.js';
import { SweepLimit } from './sweep-limit.js';
import { runTrainingThread, TrainingThreadError, type TrainingInput } from './training-thread.js';

/** Trains one run in a thread, storing each epoch as it lands and the weights as a model version at the end. */
@Injectable()
export class TrainRunHandler implements JobHandler<JobName.TrainRun> {
  readonly name = JobName.TrainRun;
  private readonly logger = new Logger('Train');

  constructor(
    private readonly samples: SampleStore,
    private readonly ledger: RunLedger,
    private readonly identity: WorkerIdentity,
    private readonly cancellations: Cancellations,
    private readonly metrics: WorkerMetrics,
    private readonly quota: RunQuota,
    private readonly sweeps: SweepLimit,
  ) {}

  async handle(job: Job<JobData<JobName.TrainRun>>, { signal: shutdown, token, progressed }: JobContext): Promise<void> {
    const cancel = this.cancellations.watch(job.data.runId);
    let claimed: RunClaim | null = null;
    try {
      const claim = await this.ledger.claim(job.data.runId, this.identity.id, this.identity.backend);
      claimed = claim;
      if (!claim) return; // finished, cancelled, or held by its key's quota or its sweep: nothing to train
      await this.train(job, claim, AbortSignal.any([shutdown, cancel.signal]), progressed).catch(async (error: Error) => {
        if (await this.ledger.isCancelled(claim.runId)) return; // stopped on request; metrics so far are kept
        if (shutdown.aborted) {
          // Asked to stop: hand the run back now rather than leave it for stall detection to find.
          await this.ledger.handBack(claim, `worker ${this.identity.id} stopping; resuming from the last checkpoint`);
          await job.moveToWait(token);
          throw new WaitingError();
        }
        // Another attempt holds the run now (this worker lost its lock): it, not this one, finishes the run.
        if (error instanceof LostRunError) return this.logger.warn(error.message);
        await this.ledger.fail(claim, error.message);
        throw error instanceof TrainingThreadError && error.permanent ? new UnrecoverableError(error.message) : error;
      });
    } finally {
      cancel.release();
      // A slot of this run's key or sweep may have come free: the next held run need not wait for the periodic look.
      await this.quota.releaseQuietly();
      // A run outside sweeps frees no sweep slot: no query per run then.
      if (!claimed || claimed.row.sweepId) await this.sweeps.releaseQuietly();
    }
  }

  async onFinalFailure(job: Job<JobData<JobName.TrainRun>>, reason: string): Promise<void> {
    await this.ledger.failRun(job.data.runId, reason);
    await this.sweeps.releaseQuietly();
  }

  private async train(job: Job<JobData<JobName.TrainRun>>, claim: RunClaim, signal: AbortSignal, progressed: () => Promise<void>): Promise<void> {
    const started = performance.now();
    const { input, lineage } = await this.load(claim);
    this.logger.log(`run ${claim.runId} attempt ${claim.attempt}: ${input.labels.length} samples, from epoch ${claim.startEpoch}`);
    const loaded = performance.now();
    let epochSeconds = 0;
    const outcome = await runTrainingThread(input, {
      signal,
      onEpochs: async (results) => {
        const checkpointed = await this.ledger.recordEpochs(claim, results);
        epochSeconds += results.reduce((sum, r) => sum + r.seconds, 0);
        await this.reportEpoch(job, results.at(-1)!, input.spec.epochs);
        // Only a checkpoint is progress a crash cannot take away.
        if (checkpointed) await progressed().catch(() => undefined);
      },
    });
    const { lastEpoch } = outcome;
    const stopped = outcome.earlyStopped;
    const note = stopped ? `early stopping at epoch ${stopped.epoch}: no validation-loss improvement since epoch ${stopped.bestEpoch}` : null;
    const trained = performance.now();
    await this.ledger.succeed(claim, input.architecture, stripOptimizerState(input.architecture, outcome.weights), note, { evaluation: outcome.evaluation, lineage, lastEpoch });
    if (lastEpoch) {
      epochSeconds += lastEpoch.seconds;
      // The run has ended: its job's progress in Redis no longer matters, only the worker's gauge.
      this.metrics.epochDone(lastEpoch.samplesPerSecond);
    }
    // Where a run's time went outside its epochs (which their metric rows break down).
    const ms = (from: number, to: number) => Math.round(to - from);
    this.logger.log(
      `run ${claim.runId} succeeded: samples read ${ms(started, loaded)} ms, thread setup ${Math.round(outcome.setupMs)} ms, epochs ${Math.round(epochSeconds * 1000)} ms, ` +
        `test evaluation ${Math.round(outcome.evaluationMs)} ms, earlier epochs' storage awaited ${Math.round(outcome.storeWaitMs)} ms, ` +
        `unaccounted ${Math.round(trained - loaded - outcome.setupMs - epochSeconds * 1000 - outcome.evaluationMs - outcome.storeWaitMs)} ms, model stored ${ms(trained, performance.now())} ms`,
    );
  }

  private async reportEpoch(job: Job<JobData<JobName.TrainRun>>, epoch: EpochResult, epochs: number): Promise<void> {
    this.metrics.epochDone(epoch.samplesPerSecond);
    // Progress in Redis is advisory (the row is the truth): a Redis that lost the job must not stop training.
    await job.updateProgress({ epoch: epoch.epoch, epochs, loss: epoch.loss, accuracy: epoch.accuracy }).catch(() => undefined);
  }

  /** Reads the run's samples into one byte array, with the table that turns bytes into the spec's activations. */
  private async load(claim: RunClaim): Promise<{ input: TrainingInput; lineage: Lineage }> {
    const run = claim.row;
    const { dataset } = run;
    if (!dataset) throw new UnrecoverableError(`run ${run.id} has no dataset: it was deleted`);
    if (dataset.status !== DatasetStatus.READY) throw new UnrecoverableError(`dataset ${dataset.id} is ${dataset.status}, not READY`);
    const spec = storedSpec(dataset, dataset.spec);
    // With its own validationSplit a run draws validation from train + validation; test stays unseen either way.
    const ownSplit = run.validationSplit !== null;
    const inputSize = dataset.width * dataset.height * dataset.channels;
    const packed = await this.samples.readPacked(dataset.id, inputSize, SPLIT_CODE);
    if (!packed) throw new UnrecoverableError(`dataset ${dataset.id} changed while its samples were read`);
    const { pixels, labels, split } = packed.rest;
    // Only scored once training ends, by the final weights.
    const test = packed.test;
    const table = activationTable(spec);
    // A layer without its own bias setting takes the run's, so the stored architecture is explicit.
    const layers = (run.layers as unknown as LayerSpec[]).map((layer) => ({ ...layer, bias: layerBias(layer, run.bias) }));
    const architecture: Architecture = {
      inputSize,
      layers,
      outputBias: run.bias,
      classes: dataset.classes,
      input: { width: dataset.width, height: dataset.height, channels: dataset.channels === 3 ? 3 : 1 },
      preprocess: spec,
    };
    const input: TrainingInput = {
      pixels,
      labels,
      table,
      split: ownSplit ? null : split,
      architecture,
      spec: {
        layers,
        optimizer: run.optimizer as unknown as OptimizerSpec,
        batchSize: run.batchSize,
        epochs: run.epochs,
        seed: run.seed,
        validationSplit: run.validationSplit ?? 0,
        loss: run.loss as Loss,
        earlyStopping: run.earlyStopping as EarlyStopping | null,
      },
      startEpoch: claim.startEpoch,
      initialWeights: claim.checkpoint,
      previousValLosses: claim.previousValLosses,
      backend: this.identity.config.TRAIN_BACKEND,
      test: { pixels: test.pixels, labels: test.labels, indices: test.indices, table },
      checkpoints: { everyEpochs: run.checkpointEvery, minSeconds: this.identity.config.CHECKPOINT_SECONDS },
    };
    const lineage: Lineage = { dataset: { id: dataset.id, name: dataset.name, contentHash: dataset.contentHash, spec } };
    return { input, lineage };
  }
}
