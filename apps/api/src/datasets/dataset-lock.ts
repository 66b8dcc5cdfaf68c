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

/**
 * A shared lock on the dataset row for the rest of the transaction: any number of run submissions hold it at
 * once, and a delete (which takes `lockDataset`'s exclusive lock) waits for them or they see it gone. False when
 * the row is gone or not in `status`.
 */
export async function shareDataset(tx: Prisma.TransactionClient, id: string, status: DatasetStatus): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM datasets WHERE id = ${id}::uuid AND status = ${status}::"DatasetStatus" FOR SHARE`;
  return rows.length === 1;
}
