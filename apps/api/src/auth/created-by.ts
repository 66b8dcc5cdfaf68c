import type { CreatedBy } from '#libs/contracts';

/** The Prisma include that loads who created a dataset, run or model, for its view. */
export const CREATED_BY = { createdBy: { select: { id: true, name: true } } } as const;

/** A row loaded with CREATED_BY. */
export interface WithCreatedBy {
  createdBy: CreatedBy | null;
}
