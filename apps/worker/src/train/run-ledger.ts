import { Inject, Injectable } from '@nestjs/common';
import { BlobStore, type Dataset, Prisma, PrismaService, refreshRunFinal, type Run, RunStatus } from '#libs/database';
import type { Architecture, EvaluationView } from '#libs/contracts';
import { RunEvents } from '#libs/queue';
import type { EpochResult } from '#libs/engine';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config.js';
import { RunQuota } from './run-quota.js';

/** This worker's hold on a run: every write checks the run is still RUNNING under this attempt. */
export interface RunClaim {
  runId: string;
  attempt: number;
  workerId: string;
  /** Epochs already done, from the newest checkpoint (0 when starting fresh). */
  startEpoch: number;
  checkpoint: Uint8Array | null;
  /** Validation losses of epochs 1..startEpoch, so early stopping resumes with its patience intact. */
  previousValLosses: (number | null)[];
  /** The run's row as the claim read it (its spec does not change), with its dataset. */
  row: Run & { dataset: Dataset | null };
}

/** Where a model version came from, kept on the version so it outlives its dataset. */
export interface Lineage {
  dataset: { id: string; name: string; contentHash: string | null; spec: object };
}

/** Written with a succeeded run's model version. */
export interface RunResults {
  evaluation: EvaluationView | null;
  lineage: Lineage;
  /** The last epoch, when its row is not stored yet: written in the same transaction as the version. */
  lastEpoch: EpochResult | null;
}

/** Thrown when another attempt took the run over, or it was cancelled: this worker must stop writing. */
export class LostRunError extends Error {}

const TERMINAL: RunStatus[] = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED];
const LONG_TX = { timeout: 60_000, maxWait: 10_000 };

/** Epochs' metric rows, one each, and the run row's copy of the newest; inside the caller's fenced transaction. */
async function writeMetrics(tx: Prisma.TransactionClient, runId: string, records: EpochResult[]): Promise<void> {
  const rows = records.map(({ weights: _, timing, ...metric }) => ({ runId, ...metric, timing: timing as unknown as Prisma.InputJsonValue }));
  // Rows of a lost attempt past its checkpoint were deleted at claim; these epochs are written once, here.
  await tx.runMetric.deleteMany({ where: { runId, epoch: { in: rows.map((r) => r.epoch) } } });
  await tx.runMetric.createMany({ data: rows });
  await refreshRunFinal(tx, runId);
}

/** Every write a training attempt makes to a run, each one transaction, so a crash never leaves half a step. */
@Injectable()
export class RunLedger {
  constructor(
    private readonly prisma: PrismaService,
    private readonly blobs: BlobStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly quota: RunQuota,
    private readonly events: RunEvents,
  ) {}

  /** Takes the run for a new attempt, or returns null when it is already finished (a repeated delivery) or held by its key's quota or its sweep. */
  async claim(runId: string, workerId: string, backend: string): Promise<RunClaim | null> {
    const claimed = await this.prisma.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id: runId }, include: { dataset: true } });
      if (!run || TERMINAL.includes(run.status)) return null;
      if (run.heldBySweep) return null; // no job should exist for it; if one does, SweepLimit queues it again when its turn comes
      if (await this.quota.holdIfFull(tx, run)) return null;
      const attempt = run.attempt + 1;
      const taken = await tx.run.updateMany({
        where: { id: runId, attempt: run.attempt, status: run.status },
        data: { status: RunStatus.RUNNING, attempt, workerId, backend, startedAt: run.startedAt ?? new Date(), error: null },
      });
      if (taken.count === 0) return null; // another worker claimed it between our read and write
      if (run.status === RunStatus.RUNNING) {
        await tx.runEvent.create({
          data: { runId, fromStatus: RunStatus.RUNNING, toStatus: RunStatus.QUEUED, attempt: run.attempt, workerId: run.workerId, message: 'worker lost; resuming from the last checkpoint' },
        });
      }
      await tx.runEvent.create({ data: { runId, fromStatus: RunStatus.QUEUED, toStatus: RunStatus.RUNNING, attempt, workerId } });
      // A first attempt has no checkpoint and no metrics to clean up.
      if (run.attempt === 0) return { runId, attempt, workerId, startEpoch: 0, checkpointBlob: null, previousValLosses: [], row: run };
      const checkpoint = await tx.checkpoint.findFirst({ where: { runId }, orderBy: { epoch: 'desc' } });
      const startEpoch = checkpoint?.epoch ?? 0;
      // Metrics past the checkpoint came from a lost attempt; this attempt recomputes them.
      await tx.runMetric.deleteMany({ where: { runId, epoch: { gt: startEpoch } } });
      await refreshRunFinal(tx, runId);
      const done = await tx.runMetric.findMany({ where: { runId }, orderBy: { epoch: 'asc' }, select: { valLoss: true } });
      return { runId, attempt, workerId, startEpoch, checkpointBlob: checkpoint?.blobId ?? null, previousValLosses: done.map((m) => m.valLoss), row: run };
    }, LONG_TX);
    // Claimed or held by the quota, the run's history grew (a repeated delivery adds nothing, and costs one re-read).
    this.events.announce(runId);
    if (!claimed) return null;
    // Read after the claim commits: the checkpoint is this attempt's now, and only this attempt prunes checkpoints.
    const { checkpointBlob, ...rest } = claimed;
    return { ...rest, checkpoint: checkpointBlob ? await this.blobs.read(checkpointBlob) : null };
  }

  /**
   * Stores epochs' metrics (one row each) in one transaction, with the newest of their checkpoints (the older
   * ones it replaces would be pruned at once), and drops checkpoints older than the newest few.
   * Returns whether a checkpoint was stored.
   */
  async recordEpochs(claim: RunClaim, records: EpochResult[]): Promise<boolean> {
    const { runId } = claim;
    const newest = records.findLast((r) => r.weights !== null);
    // The bytes are stored first and the row that points at them last, so a checkpoint row always has all its bytes.
    const blob = newest ? await this.blobs.write(newest.weights!) : null;
    await this.prisma.$transaction(async (tx) => {
      await this.fence(tx, claim);
      await writeMetrics(tx, runId, records);
      if (!blob) return;
      // Replacing a row's blobId deletes the blob it pointed at (a trigger).
      await tx.checkpoint.upsert({
        where: { runId_epoch: { runId, epoch: newest!.epoch } },
        create: { runId, epoch: newest!.epoch, blobId: blob.id },
        update: { blobId: blob.id },
      });
      const stale = await tx.checkpoint.findMany({ where: { runId }, orderBy: { epoch: 'desc' }, skip: this.config.CHECKPOINTS_KEPT, select: { epoch: true } });
      await tx.checkpoint.deleteMany({ where: { runId, epoch: { in: stale.map((c) => c.epoch) } } });
    }, LONG_TX).catch(async (error: unknown) => {
      if (blob) await this.blobs.delete(blob.id).catch(() => undefined);
      throw error;
    });
    this.events.announce(runId);
    return blob !== null;
  }

  /** Stores the trained weights as the model's next version, with its test evaluation, and marks the run SUCCEEDED. */
  async succeed(claim: RunClaim, architecture: Architecture, weights: Uint8Array, note: string | null, results: RunResults): Promise<void> {
    // The bytes are stored first and the version that points at them last.
    const blob = await this.blobs.write(weights);
    try {
      await this.storeVersion(claim, architecture, blob.id, note, results);
    } catch (error) {
      await this.blobs.delete(blob.id).catch(() => undefined);
      throw error;
    }
  }

  private async storeVersion(claim: RunClaim, architecture: Architecture, blobId: string, note: string | null, results: RunResults): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        return await this.prisma.$transaction(async (tx) => {
          const run = await this.fence(tx, claim);
          if (results.lastEpoch) await writeMetrics(tx, claim.runId, [results.lastEpoch]);
          const latest = await tx.modelVersion.findFirst({ where: { modelId: run.modelId }, orderBy: { version: 'desc' } });
          await tx.modelVersion.create({
            data: {
              modelId: run.modelId,
              version: (latest?.version ?? 0) + 1,
              runId: claim.runId,
              architecture: architecture as unknown as Prisma.InputJsonValue,
              blobId,
              lineage: results.lineage as unknown as Prisma.InputJsonValue,
            },
          });
          const { evaluation } = results;
          if (evaluation) {
            const { split, samples, accuracy, loss, classes, confusion, perClass, misclassified } = evaluation;
            await tx.runEvaluation.create({
              data: { runId: claim.runId, split, samples, accuracy, loss, classes, confusion, perClass: perClass as unknown as Prisma.InputJsonValue, misclassified: misclassified as unknown as Prisma.InputJsonValue },
            });
          }
          await this.finish(tx, claim, RunStatus.SUCCEEDED, null, note);
        }, LONG_TX).then(() => this.events.announce(claim.runId));
      } catch (error) {
        // Two runs of one model finishing together race for the same version number: take the next.
        const versionTaken = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
        if (!versionTaken || tries >= 5) throw error;
      }
    }
  }

  /** Records a failed attempt and puts the run back to QUEUED; the job runner retries it or calls failRun. */
  async fail(claim: RunClaim, error: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await this.fence(tx, claim);
      await tx.run.update({ where: { id: claim.runId }, data: { status: RunStatus.QUEUED, error } });
      await tx.runEvent.create({
        data: { runId: claim.runId, fromStatus: RunStatus.RUNNING, toStatus: RunStatus.QUEUED, attempt: claim.attempt, workerId: claim.workerId, message: `attempt ${claim.attempt} failed: ${error}` },
      });
    }).then(() => this.events.announce(claim.runId), (e: unknown) => {
      if (!(e instanceof LostRunError)) throw e;
    });
  }

  /** Ends a run FAILED for good, from whatever state it was left in; a run that already ended is left alone. */
  async failRun(runId: string, reason: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id: runId } });
      if (!run || TERMINAL.includes(run.status)) return;
      const ended = await tx.run.updateMany({
        where: { id: runId, status: run.status, attempt: run.attempt },
        data: { status: RunStatus.FAILED, error: reason, finishedAt: new Date() },
      });
      if (ended.count === 0) return;
      await tx.checkpoint.deleteMany({ where: { runId } });
      await tx.runEvent.create({ data: { runId, fromStatus: run.status, toStatus: RunStatus.FAILED, attempt: run.attempt, workerId: run.workerId, message: reason } });
    });
    this.events.announce(runId);
  }

  /** Gives the run back to the queue when this worker stops; the next claim resumes from the newest checkpoint. */
  async handBack(claim: RunClaim, reason: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await this.fence(tx, claim);
      await tx.run.update({ where: { id: claim.runId }, data: { status: RunStatus.QUEUED } });
      await tx.runEvent.create({
        data: { runId: claim.runId, fromStatus: RunStatus.RUNNING, toStatus: RunStatus.QUEUED, attempt: claim.attempt, workerId: claim.workerId, message: reason },
      });
    });
    this.events.announce(claim.runId);
  }

  async isCancelled(runId: string): Promise<boolean> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { status: true } });
    return run?.status === RunStatus.CANCELLED;
  }

  private async finish(tx: Prisma.TransactionClient, claim: RunClaim, status: RunStatus, error: string | null, note: string | null = error): Promise<void> {
    await tx.run.update({ where: { id: claim.runId }, data: { status, error, finishedAt: new Date() } });
    // An ended run is never resumed: its checkpoints (and their blobs, by trigger) go with the transition.
    await tx.checkpoint.deleteMany({ where: { runId: claim.runId } });
    await tx.runEvent.create({
      data: { runId: claim.runId, fromStatus: RunStatus.RUNNING, toStatus: status, attempt: claim.attempt, workerId: claim.workerId, message: note },
    });
  }

  /** Locks the run row and checks this attempt still owns it. */
  private async fence(tx: Prisma.TransactionClient, claim: RunClaim) {
    const [owned] = await tx.run.updateManyAndReturn({
      where: { id: claim.runId, attempt: claim.attempt, status: RunStatus.RUNNING },
      data: { workerId: claim.workerId },
    });
    if (!owned) throw new LostRunError(`run ${claim.runId} is no longer held by attempt ${claim.attempt}`);
    return owned;
  }
}
