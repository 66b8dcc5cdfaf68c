import type { Prisma } from './generated/client.js';

/**
 * Copies a run's newest stored epoch and its total training time onto the run row, inside the caller's
 * transaction, so the row that GET /runs searches and sorts on never disagrees with its run_metrics.
 */
export async function refreshRunFinal(tx: Prisma.TransactionClient, runId: string): Promise<void> {
  const [latest, total] = await Promise.all([
    tx.runMetric.findFirst({ where: { runId }, orderBy: { epoch: 'desc' } }),
    tx.runMetric.aggregate({ where: { runId }, _sum: { seconds: true } }),
  ]);
  await tx.run.update({
    where: { id: runId },
    data: {
      finalEpoch: latest?.epoch ?? null,
      finalLoss: latest?.loss ?? null,
      finalAccuracy: latest?.accuracy ?? null,
      finalValLoss: latest?.valLoss ?? null,
      finalValAccuracy: latest?.valAccuracy ?? null,
      durationSeconds: total._sum.seconds ?? 0,
    },
  });
}
