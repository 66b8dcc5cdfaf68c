/** How long an id skipped by one read may still turn up: a transaction that took it has not committed yet. */
const GRACE_MS = 60_000;
/** Holes remembered at most; a jump past this many ids is rollbacks or deletions, not late commits. */
const MAX_GAPS = 1_000;

/**
 * A reader's place in an id sequence (run_events.id) whose rows commit out of order: a transaction that took
 * id 10 may commit after the one that took 11. A plain "id > last" would skip 10 for good, so the holes a
 * read leaves are looked for again, for a while, beside the ids past the newest.
 */
export class SequenceCursor {
  private readonly gaps = new Map<bigint, number>();

  constructor(private last: bigint) {}

  /** The Prisma filter for rows this cursor has not seen. */
  where(): { id: { gt: bigint } } | { OR: ({ id: { gt: bigint } } | { id: { in: bigint[] } })[] } {
    const gaps = [...this.gaps.keys()];
    return gaps.length ? { OR: [{ id: { gt: this.last } }, { id: { in: gaps } }] } : { id: { gt: this.last } };
  }

  /** The rows of a read (in id order) not seen before; remembers the holes they leave. */
  accept<T extends { id: bigint }>(rows: T[], now = Date.now()): T[] {
    for (const [id, since] of this.gaps) if (now - since > GRACE_MS) this.gaps.delete(id);
    const fresh: T[] = [];
    for (const row of rows) {
      if (this.gaps.delete(row.id)) {
        fresh.push(row);
        continue;
      }
      if (row.id <= this.last) continue;
      for (let id = row.id - 1n; id > this.last && this.gaps.size < MAX_GAPS; id--) this.gaps.set(id, now);
      this.last = row.id;
      fresh.push(row);
    }
    return fresh;
  }
}
