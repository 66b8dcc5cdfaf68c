import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Page, type PageQuery, type RunSpec, RunSpecSchema, type SweepAccepted, type SweepSpec, type SweepSummary, type SweepView, toPage } from '#libs/contracts';
import { type Prisma, PrismaService, RunStatus } from '#libs/database';
import { RunEvents } from '#libs/queue';
import { expandSweep, type SweepPoint, SweepPathError, sweepSize } from '#libs/sweeps';
import { assertOwnerOrAdmin, type Principal } from '../auth/index.js';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { DomainError, invalidInput, notFound } from '../http/domain-error.js';
import { RunsService } from '../runs/runs.service.js';
import { SWEEP_DETAIL, toSweepSummary, toSweepView } from './sweep.view.js';

// A sweep of many runs writes a few rows per run in one transaction.
const LONG_TX = { timeout: 60_000, maxWait: 10_000 };

/** Grid and random searches over run specs: many runs made at once, at most `maxParallel` of them holding a slot. */
@Injectable()
export class SweepsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly runs: RunsService,
    private readonly events: RunEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Makes every run, checks each exactly as POST /runs would, and only then stores them: all or nothing. */
  async create(spec: SweepSpec, principal: Principal): Promise<SweepAccepted> {
    const seed = spec.seed ?? randomInt(2 ** 31 - 1);
    const size = sweepSize(spec);
    if (size > this.config.MAX_RUNS_PER_SWEEP) {
      throw invalidInput(spec.grid ? 'grid' : 'random', `this sweep makes ${size} runs; the limit is ${this.config.MAX_RUNS_PER_SWEEP} (MAX_RUNS_PER_SWEEP)`, { runs: size, limit: this.config.MAX_RUNS_PER_SWEEP });
    }
    const points = this.expand(spec, seed);
    const dtos = points.map((point, index) => this.validate(spec, point, index, seed));
    await this.admit(dtos, points);

    const maxParallel = Math.min(spec.maxParallel ?? dtos.length, dtos.length);
    const { sweep, runs } = await this.prisma.$transaction(async (tx) => {
      const names = await this.runs.lockDatasets(tx, dtos.map((dto) => dto.datasetId));
      const sweep = await tx.sweep.create({
        data: { spec: { ...spec, seed } as Prisma.InputJsonValue, maxParallel, metric: spec.metric, createdById: principal.id },
      });
      const runs = [];
      for (const [index, dto] of dtos.entries()) {
        const held = index >= maxParallel;
        const note = `run ${index} of sweep ${sweep.id}${held ? `; held until one of its ${maxParallel} slot${maxParallel === 1 ? '' : 's'} frees` : ''}`;
        runs.push(await this.runs.insert(tx, dto, principal, names.get(dto.datasetId)!, { id: sweep.id, index, params: points[index]!.params, held, note }));
      }
      return { sweep, runs };
    }, LONG_TX);
    await this.runs.enqueueOrUndo(runs.filter((run) => !run.heldBySweep), () =>
      this.prisma.$transaction([this.prisma.run.deleteMany({ where: { sweepId: sweep.id } }), this.prisma.sweep.delete({ where: { id: sweep.id } })]),
    );
    runs.filter((run) => run.heldBySweep).forEach((run) => this.events.announce(run.id)); // the queued ones were announced when queued
    return { id: sweep.id, status: 'RUNNING', runIds: runs.map((run) => run.id) };
  }

  async list(query: PageQuery): Promise<Page<SweepSummary>> {
    const [total, sweeps] = await Promise.all([
      this.prisma.sweep.count(),
      this.prisma.sweep.findMany({ orderBy: { createdAt: 'desc' }, take: query.limit, skip: query.offset, include: SWEEP_DETAIL }),
    ]);
    return toPage(query, total, sweeps.map(toSweepSummary));
  }

  async get(id: string): Promise<SweepView> {
    const sweep = await this.prisma.sweep.findUnique({ where: { id }, include: SWEEP_DETAIL });
    if (!sweep) throw notFound('sweep', id);
    return toSweepView(sweep);
  }

  /** Cancels every run not yet ended: held ones at once (they have no job), the others as POST /runs/:id/cancel does. */
  async cancel(id: string, principal: Principal): Promise<SweepView> {
    const sweep = await this.prisma.sweep.findUnique({ where: { id } });
    if (!sweep) throw notFound('sweep', id);
    assertOwnerOrAdmin(principal, sweep, 'sweep');
    const reason = `cancelled with sweep ${id}`;
    const held = await this.prisma.$transaction(async (tx) => {
      // Under the row lock that releasing takes, so no held run is released once the sweep is cancelled.
      await tx.sweep.update({ where: { id }, data: { cancelledAt: sweep.cancelledAt ?? new Date() } });
      const open = await tx.run.count({ where: { sweepId: id, status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] } } });
      if (open === 0) throw new DomainError('CONFLICT', `sweep ${id} has no queued or running runs left to cancel`);
      const held = await tx.run.findMany({ where: { sweepId: id, heldBySweep: true, status: RunStatus.QUEUED }, select: { id: true, attempt: true } });
      await tx.run.updateMany({ where: { id: { in: held.map((r) => r.id) } }, data: { status: RunStatus.CANCELLED, finishedAt: new Date() } });
      await tx.runEvent.createMany({ data: held.map((r) => ({ runId: r.id, fromStatus: RunStatus.QUEUED, toStatus: RunStatus.CANCELLED, attempt: r.attempt, message: reason })) });
      return held;
    });
    held.forEach((run) => this.events.announce(run.id));
    const active = await this.prisma.run.findMany({ where: { sweepId: id, status: { in: [RunStatus.QUEUED, RunStatus.RUNNING] } }, select: { id: true } });
    for (const run of active) {
      // One that ended meanwhile is already where a cancel would put it.
      await this.runs.cancel(run.id, principal, reason).catch((error: unknown) => {
        if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
      });
    }
    return this.get(id);
  }

  private expand(spec: SweepSpec, seed: number): SweepPoint[] {
    try {
      return expandSweep(spec, seed);
    } catch (error) {
      if (!(error instanceof SweepPathError)) throw error;
      throw invalidInput(`${spec.grid && Object.hasOwn(spec.grid, error.path) ? 'grid' : 'random'}.${error.path}`, error.problem);
    }
  }

  /** The run spec of one point, parsed by POST /runs' own schema; a failure names the swept path and value, or the base field, at fault. */
  private validate(spec: SweepSpec, point: SweepPoint, index: number, seed: number): RunSpec {
    // Runs of a sweep share one training seed unless a spec sets its own: only the swept values differ between them.
    const parsed = RunSpecSchema.safeParse({ seed, ...point.spec });
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const swept = Object.keys(point.params).find((path) => field === path || field.startsWith(`${path}.`) || path.startsWith(`${field}.`));
    const details = { run: index, params: point.params, field, issues: parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })) };
    if (!swept) throw invalidInput(`base.${field || '(spec)'}`, issue.message, details);
    const section = spec.grid && Object.hasOwn(spec.grid, swept) ? 'grid' : 'random';
    throw invalidInput(`${section}.${swept}`, `${JSON.stringify(point.params[swept])} (run ${index}) is refused: ${field}: ${issue.message}`, details);
  }

  /** Each run's dataset and memory need, checked as POST /runs checks them. */
  private async admit(dtos: RunSpec[], points: SweepPoint[]): Promise<void> {
    const ids = [...new Set(dtos.map((dto) => dto.datasetId))];
    const datasets = new Map((await this.prisma.dataset.findMany({ where: { id: { in: ids } } })).map((d) => [d.id, d]));
    for (const [index, dto] of dtos.entries()) {
      try {
        this.runs.admit(dto, datasets.get(dto.datasetId) ?? null);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const params = Object.entries(points[index]!.params).map(([path, value]) => `${path}=${JSON.stringify(value)}`).join(', ');
        throw new DomainError(error.code, `run ${index} (${params}): ${error.message}`, error.details);
      }
    }
  }
}
