import { type DatasetStatus, Prisma } from '#libs/database';

/**
 * Takes the dataset row's lock for the rest of the transaction (by touching `updatedAt`), so creating a run
 * on it and deleting it never interleave: whichever comes second sees what the first committed. False when
 * the row is gone.
 */
export async function lockDataset(tx: Prisma.TransactionClient, id: string): Promise<boolean> {
  const locked = await tx.dataset.updateMany({ where: { id }, data: { updatedAt: new Date() } });
  return locked.count === 1;
}

/**
 * A shared lock on the dataset rows for the rest of the transaction: any number of run submissions hold it at
 * once, and a delete (which takes `lockDataset`'s exclusive lock) waits for them or they see it gone. Returns
 * the name of each row locked; a row that is gone or not in `status` is missing from it.
 */
export async function shareDatasets(tx: Prisma.TransactionClient, ids: string[], status: DatasetStatus): Promise<Map<string, string>> {
  const rows = await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id::text, name FROM datasets WHERE id = ANY(${ids}::uuid[]) AND status = ${status}::"DatasetStatus" FOR SHARE`;
  // Keyed by the ids as asked: Postgres prints uuids in lower case, a client may not have.
  const byId = new Map(rows.map((row) => [row.id, row.name]));
  return new Map(ids.flatMap((id) => (byId.has(id.toLowerCase()) ? [[id, byId.get(id.toLowerCase())!] as const] : [])));
}
