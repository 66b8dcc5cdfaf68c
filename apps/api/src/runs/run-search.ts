import { Prisma } from '#libs/database';
import { type ListRunsQuery, RUN_ORDERS, type RunOrder } from './list-runs.dto.js';

/** Turns GET /runs's filters into a Prisma where clause and order; each maps onto an indexed column. */
export function runSearch(query: ListRunsQuery): { where: Prisma.RunWhereInput; orderBy: Prisma.RunOrderByWithRelationInput[] } {
  const where: Prisma.RunWhereInput = {
    status: query.status,
    datasetId: query.datasetId,
    modelId: query.modelId,
    createdById: query.createdBy,
    sweepId: query.sweepId,
    ...(query.optimizer && { optimizer: { path: ['name'], equals: query.optimizer } }),
    // jsonb containment: some element of the layers array has this activation.
    ...(query.activation && { layers: { array_contains: [{ activation: query.activation }] } }),
    ...(query.minValAccuracy !== undefined && { finalValAccuracy: { gte: query.minValAccuracy } }),
    ...(query.maxValLoss !== undefined && { finalValLoss: { lte: query.maxValLoss } }),
    ...((query.from || query.to) && { queuedAt: { gte: query.from, lte: query.to } }),
  };
  const descending = query.orderBy.startsWith('-');
  const column = RUN_ORDERS[query.orderBy.replace(/^-/, '') as RunOrder];
  const sort = descending ? 'desc' : 'asc';
  // Runs without metrics yet go last whichever way the metric is sorted.
  const primary = column === 'queuedAt' || column === 'durationSeconds' ? { [column]: sort } : { [column]: { sort, nulls: 'last' } };
  return { where, orderBy: [primary, { id: sort }] };
}
