import { type DatasetStatus, Prisma } from '#libs/database';

/**
 * Takes the dataset row's lock for the rest of the transaction (by touching `updatedAt`), so creating a run
 * on it and deleting it never interleave: whichever comes second sees what the first committed. False when
 * the row is gone, or not in `status`.
 */
export async function lockDataset(tx: Prisma.TransactionClient, id: string, status?: DatasetStatus): Promise<boolean> {
  const locked = await tx.dataset.updateMany({ where: { id, ...(status && { status }) }, data: { updatedAt: new Date() } });
  return locked.count === 1;
}
