import { Injectable } from '@nestjs/common';
import type { EvaluationView } from '#libs/contracts';
import { PrismaService, RunStatus } from '#libs/database';
import { DomainError, notFound } from '../http/domain-error.js';

/** A succeeded run's model scored on its dataset's test split; the worker writes it when the run succeeds. */
@Injectable()
export class EvaluationsService {
  constructor(private readonly prisma: PrismaService) {}

  async get(runId: string): Promise<EvaluationView> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { status: true, evaluation: true } });
    if (!run) throw notFound('run', runId);
    const stored = run.evaluation;
    if (!stored) {
      if (run.status !== RunStatus.SUCCEEDED) throw new DomainError('CONFLICT', `run ${runId} is ${run.status}: it is evaluated on the test split once it SUCCEEDED`);
      throw new DomainError('NOT_FOUND', `run ${runId} has no evaluation: its dataset had no test samples when it finished`);
    }
    return {
      split: 'test',
      samples: stored.samples,
      accuracy: stored.accuracy,
      loss: stored.loss,
      classes: stored.classes,
      confusion: stored.confusion as number[][],
      perClass: stored.perClass as unknown as EvaluationView['perClass'],
      misclassified: stored.misclassified as unknown as EvaluationView['misclassified'],
    };
  }
}
