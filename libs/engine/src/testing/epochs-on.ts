import type { Architecture, BackendPreference, TrainingSpec } from '#libs/contracts';
import { selectBackend } from '../backend.js';
import type { LabelledPixels } from '../dataset.js';
import { train, type EpochResult } from '../trainer.js';

/** Trains the same data and spec on one backend and returns its epochs, to compare backends in specs. */
export async function epochsOn(backend: BackendPreference, data: LabelledPixels, spec: TrainingSpec, architecture: Architecture): Promise<EpochResult[]> {
  await selectBackend(backend);
  const epochs: EpochResult[] = [];
  await train(data, spec, architecture, { onEpoch: (r) => void epochs.push(r) });
  return epochs;
}
