import seedrandom from 'seedrandom';
import { SPLITS, SplitFractionsSchema, type Split, type SplitFractions } from './preprocess-spec.js';

/**
 * Assigns every sample to train, validation or test, class by class, so each class is divided in the
 * given fractions (each class's count per split is its quota rounded down or up) and the dataset as a
 * whole stays within one sample of its fractions. Which samples go where is a seeded shuffle inside
 * each class: the same labels, fractions and seed always give the same answer.
 */
export function assignSplits(labels: readonly number[], fractions: SplitFractions, seed: number): Split[] {
  const parsed = SplitFractionsSchema.safeParse(fractions);
  if (!parsed.success) throw new RangeError(`invalid split fractions: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const wanted = SPLITS.map((split) => fractions[split]);

  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const members = byClass.get(label);
    if (members) members.push(index);
    else byClass.set(label, [index]);
  });

  const random = seedrandom(String(seed));
  const result = new Array<Split>(labels.length);
  const assigned = [0, 0, 0];
  let seen = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    seen += members.length;
    // The epsilon keeps 100 × 0.29 = 28.999… from losing a sample to float rounding.
    const counts = wanted.map((f) => Math.floor(members.length * f + 1e-9));
    // Leftovers go to the splits furthest below their share of every sample seen so far, which keeps
    // the totals close to the fractions when many small classes each round the same way.
    const deficit = (s: number) => seen * wanted[s] - assigned[s] - counts[s];
    const open = [0, 1, 2].filter((s) => wanted[s] > 0).sort((a, b) => deficit(b) - deficit(a) || a - b);
    for (let left = members.length - counts[0] - counts[1] - counts[2], k = 0; left > 0; left--, k++) counts[open[k]]++;

    shuffle(members, random);
    let at = 0;
    counts.forEach((count, s) => {
      for (const index of members.slice(at, at + count)) result[index] = SPLITS[s];
      at += count;
      assigned[s] += count;
    });
  }
  return result;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
