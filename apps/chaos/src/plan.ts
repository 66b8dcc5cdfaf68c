import type { CreateRunBody } from '#libs/client';
import { createRng } from '#libs/engine';

/** A dataset the chaos run uploads: generated shapes, sized so preprocessing takes a moment. */
export interface DatasetPlan {
  name: string;
  perClass: number;
  side: number;
}

export const DATASETS: DatasetPlan[] = [
  { name: 'chaos-small', perClass: 20, side: 8 },
  { name: 'chaos-medium', perClass: 30, side: 12 },
  { name: 'chaos-wide', perClass: 25, side: 10 },
];

const OPTIMIZERS = [
  { name: 'sgd', learningRate: 0.1 },
  { name: 'momentum', learningRate: 0.02 },
  { name: 'adam', learningRate: 0.003 },
  { name: 'rmsprop', learningRate: 0.002, weightDecay: 0.0001 },
] as const;
const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyRelu'] as const;

/** `count` runs of mixed shapes and optimizers over the datasets, the same for the same seed. */
export function planRuns(count: number, datasetIds: string[], seed: number): (Omit<CreateRunBody, 'datasetId'> & { datasetId: string })[] {
  const rng = createRng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const depth = 1 + Math.floor(rng() * 2);
    const layers = Array.from({ length: depth }, () => ({ units: pick([8, 12, 16, 24]), activation: pick(ACTIVATIONS) }));
    return {
      datasetId: datasetIds[i % datasetIds.length]!,
      layers,
      optimizer: { ...OPTIMIZERS[i % OPTIMIZERS.length]! },
      batchSize: pick([4, 8, 16]),
      // Long enough that a quiet machine still has runs mid-training when the progress-triggered faults look.
      epochs: 8 + Math.floor(rng() * 11),
      seed: 1000 + i,
      ...(i % 5 === 4 && { checkpointEvery: 2 }),
    } as Omit<CreateRunBody, 'datasetId'> & { datasetId: string };
  });
}
