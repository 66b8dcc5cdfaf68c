import { SequenceCursor } from './sequence-cursor.js';

const rows = (...ids: number[]) => ids.map((id) => ({ id: BigInt(id) }));
const ids = (list: { id: bigint }[]) => list.map((r) => Number(r.id));

describe('SequenceCursor', () => {
  it('returns each row once, in the order read', () => {
    const cursor = new SequenceCursor(0n);
    expect(ids(cursor.accept(rows(1, 2, 3)))).toEqual([1, 2, 3]);
    expect(ids(cursor.accept(rows(3, 4)))).toEqual([4]);
    expect(cursor.where()).toEqual({ id: { gt: 4n } });
  });

  it('looks again for an id that a later one overtook, and returns it once it commits', () => {
    const cursor = new SequenceCursor(5n);
    expect(ids(cursor.accept(rows(8)))).toEqual([8]);
    expect(cursor.where()).toEqual({ OR: [{ id: { gt: 8n } }, { id: { in: [7n, 6n] } }] });
    expect(ids(cursor.accept(rows(6, 9)))).toEqual([6, 9]);
    expect(ids(cursor.accept(rows(6)))).toEqual([]);
    expect(cursor.where()).toEqual({ OR: [{ id: { gt: 9n } }, { id: { in: [7n] } }] });
  });

  it('gives up on a hole after a minute: its transaction rolled back', () => {
    const cursor = new SequenceCursor(0n);
    cursor.accept(rows(2), 0);
    expect(cursor.accept(rows(3), 61_000).length).toBe(1);
    expect(cursor.where()).toEqual({ id: { gt: 3n } });
  });

  it('remembers at most a thousand holes, the newest', () => {
    const cursor = new SequenceCursor(0n);
    cursor.accept(rows(1_000_000));
    const where = cursor.where() as { OR: [unknown, { id: { in: bigint[] } }] };
    expect(where.OR[1].id.in).toHaveLength(1_000);
    expect(where.OR[1].id.in[0]).toBe(999_999n);
  });
});
