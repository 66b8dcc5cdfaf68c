import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Page, type QueuedRun, type RunComparison, type RunSpec, type RunSummary, type RunView, toPage } from '#libs/contracts';
import { BlobStore, type Dataset, DatasetStatus, PgBinary, Prisma, PrismaService, RunStatus } from '#libs/database';
import { JobQueue, RunEvents, RunSignals } from '#libs/queue';
import { assertOwnerOrAdmin, CREATED_BY, type Principal } from '../auth/index.js';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { shareDatasets } from '../datasets/dataset-lock.js';
import { DomainError, invalidInput, notFound } from '../http/domain-error.js';
import { type ListRunsQuery } from './list-runs.dto.js';
import { checkRunMemory } from './run-memory.check.js';
import { searchRuns } from './run-search.js';
import { toRunComparison } from './run-comparison.js';
import { toMetricView, toRunSummary, toRunView, RUN_DETAIL } from './run.view.js';
import { RunWaitingService } from './run-waiting.js';

@Injectable()
export class RunsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    private readonly signals: RunSignals,
    private readonly events: RunEvents,
    private readonly waiting: RunWaitingService,
    private readonly blobs: BlobStore,
    private readonly pg: PgBinary,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async create(dto: RunSpec, principal: Principal) {
    const dataset = await this.prisma.dataset.findUnique({ where: { id: dto.datasetId } });
    this.admit(dto, dataset);
    const run = await this.prisma
      .$transaction(async (tx) => {
        // First, as a delete locks it first: a shared lock, so submissions on one dataset never wait for each other.
        const names = await this.lockDatasets(tx, [dto.datasetId]);
        return this.insert(tx, dto, principal, names.get(dto.datasetId)!);
      })
      .catch((error: unknown) => {
        // Deleted between the admission check and the insert: the same answer as a lock that finds it gone.
        if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2003' || error.code === 'P2025')) {
          throw new DomainError('CONFLICT', `dataset ${dto.datasetId} was deleted or changed while the run was being created`);
        }
        throw error;
      });
    await this.enqueueOrUndo([run], () => this.prisma.run.delete({ where: { id: run.id } }));
    return { id: run.id, status: run.status };
  }

  /** Refuses, before anything is stored, a run its dataset cannot train or no worker could hold in memory. */
  admit(dto: RunSpec, dataset: Dataset | null): asserts dataset is Dataset {
    if (!dataset) throw notFound('dataset', dto.datasetId);
    if (dataset.status !== 'READY') throw invalidInput('datasetId', `dataset ${dataset.id} is ${dataset.status}, not READY`);
    if (dataset.classes.length < 2) throw invalidInput('datasetId', `dataset ${dataset.id} has fewer than two classes`);
    checkRunMemory(dto, dataset, this.config.MAX_RUN_MEMORY_MB);
  }

  /** Inside the transaction that creates runs: their datasets stay READY and undeleted until it commits (a shared lock, so submissions never queue behind each other); their names by id. */
  async lockDatasets(tx: Prisma.TransactionClient, ids: string[]): Promise<Map<string, string>> {
    const names = await shareDatasets(tx, [...new Set(ids)], DatasetStatus.READY);
    const gone = ids.find((id) => !names.has(id));
    if (gone) throw new DomainError('CONFLICT', `dataset ${gone} was deleted or changed while the run was being created`);
    return names;
  }

  /** Stores an admitted run, QUEUED, with its model (named after its dataset unless it says) and first history entry; `sweep` places it in a sweep. */
  async insert(tx: Prisma.TransactionClient, dto: RunSpec, principal: Principal, datasetName: string, sweep?: { id: string; index: number; params: object; held: boolean; note: string }) {
    const modelName = dto.modelName ?? datasetName;
    // Found, or made without locking an existing row (an upsert's update locked it, queueing every submission to one model).
    let model = await tx.model.findUnique({ where: { name: modelName } });
    if (!model) {
      await tx.model.createMany({ data: [{ name: modelName, createdById: principal.id }], skipDuplicates: true });
      model = await tx.model.findUniqueOrThrow({ where: { name: modelName } });
    }
    const created = await tx.run.create({
      data: {
        datasetId: dto.datasetId,
        modelId: model.id,
        layers: dto.layers,
        optimizer: dto.optimizer,
        batchSize: dto.batchSize,
        epochs: dto.epochs,
        seed: dto.seed ?? randomInt(2 ** 31 - 1),
        validationSplit: dto.validationSplit,
        loss: dto.loss,
        earlyStopping: dto.earlyStopping ?? Prisma.DbNull,
        bias: dto.bias,
        checkpointEvery: dto.checkpointEvery,
        priority: dto.priority,
        requiresGpu: dto.requires.gpu,
        createdById: principal.id,
        ...(sweep && { sweepId: sweep.id, sweepIndex: sweep.index, sweepParams: sweep.params as Prisma.InputJsonValue, heldBySweep: sweep.held }),
      },
    });
    await tx.runEvent.create({ data: { runId: created.id, toStatus: RunStatus.QUEUED, attempt: 0, message: sweep ? `submitted; ${sweep.note}` : 'submitted' } });
    return created;
  }

  /** Queues the runs' jobs; if Redis refuses, `undo` takes the rows back (none may sit QUEUED with no job) and the client is told to retry. */
  async enqueueOrUndo(runs: QueuedRun[], undo: () => Promise<unknown>): Promise<void> {
    try {
      for (const run of runs) await this.jobs.enqueueRun(run);
    } catch (error) {
      await Promise.all(runs.map((run) => this.jobs.runJob(run).then((job) => job?.remove()).catch(() => 0)));
      await undo();
      throw new DomainError('UNAVAILABLE', `the training queue is unreachable: ${(error as Error).message}`);
    }
    runs.forEach((run) => this.events.announce(run.id));
  }

  /** Stops a queued or running run for good: CANCELLED, not retried, its metrics so far kept. */
  async cancel(id: string, principal: Principal, reason = 'cancelled by request') {
    const cancelled = await this.prisma.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id } });
      if (!run) throw notFound('run', id);
      assertOwnerOrAdmin(principal, run, 'run');
      if (run.status !== RunStatus.QUEUED && run.status !== RunStatus.RUNNING) {
        throw new DomainError('CONFLICT', `run ${id} is ${run.status} and cannot be cancelled`);
      }
      // Conditional on what was read, so a worker's transition in between is not overwritten.
      const stopped = await tx.run.updateMany({
        where: { id, status: run.status, attempt: run.attempt },
        data: { status: RunStatus.CANCELLED, finishedAt: new Date() },
      });
      if (stopped.count === 0) throw new DomainError('CONFLICT', `run ${id} changed while it was being cancelled; try again`);
      await tx.checkpoint.deleteMany({ where: { runId: id } });
      await tx.runEvent.create({
        data: { runId: id, fromStatus: run.status, toStatus: RunStatus.CANCELLED, attempt: run.attempt, workerId: run.workerId, message: reason },
      });
      return run;
    });
    // The row is the truth; the signal and the job removal only make the stop prompt.
    await this.signals.announceCancel(id);
    this.events.announce(id);
    if (cancelled.status === RunStatus.QUEUED) await this.jobs.runJob(cancelled).then((job) => job?.remove()).catch(() => 0);
    return this.get(id);
  }

  /** Deletes an ended run with its metrics, history and checkpoints; a model version it trained stays (its runId becomes null). */
  async delete(id: string, principal: Principal): Promise<void> {
    const deleted = await this.prisma.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id } });
      if (!run) throw notFound('run', id);
      assertOwnerOrAdmin(principal, run, 'run');
      if (run.status === RunStatus.QUEUED || run.status === RunStatus.RUNNING) {
        throw new DomainError('CONFLICT', `run ${id} is ${run.status}; cancel it before deleting it`);
      }
      // Conditional on the status read, so a run resumed in between is not deleted under its worker.
      const { count } = await tx.run.deleteMany({ where: { id, status: run.status } });
      if (count === 0) throw new DomainError('CONFLICT', `run ${id} changed while it was being deleted; try again`);
      return run;
    });
    this.events.announce(id); // its streams end
    // Its finished job, if the queue still keeps it, goes too.
    await this.jobs.runJob(deleted).then((job) => job?.remove()).catch(() => 0);
  }

  async list(query: ListRunsQuery): Promise<Page<RunSummary>> {
    const { total, rows } = await searchRuns(this.pg.pool, query);
    return toPage(query, total, rows.map(toRunSummary));
  }

  /** 2–10 runs side by side, in the order asked for; 404 naming the first id that is not a run. */
  async compare(ids: string[]): Promise<RunComparison> {
    const rows = await this.prisma.run.findMany({
      where: { id: { in: ids } },
      include: { model: { select: { id: true, name: true } }, ...CREATED_BY, metrics: { orderBy: { epoch: 'asc' } } },
    });
    const byId = new Map(rows.map((run) => [run.id, run]));
    const missing = ids.find((id) => !byId.has(id));
    if (missing) throw notFound('run', missing);
    return toRunComparison(ids.map((id) => byId.get(id)!).map((run) => ({ ...toRunSummary(run), metrics: run.metrics.map(toMetricView) })));
  }

  async get(id: string): Promise<RunView> {
    // Bytes the run holds in Postgres: its checkpoints (an ended run keeps none); its model version counts under the model.
    // Read beside the run, not after it: one round trip fewer on every GET /runs/:id.
    const [run, storageBytes] = await Promise.all([this.prisma.run.findUnique({ where: { id }, include: RUN_DETAIL }), this.blobs.checkpointBytes(id)]);
    if (!run) throw notFound('run', id);
    return { ...toRunView(run), waiting: await this.waiting.explain(run), storageBytes };
  }
}
