import { estimateRunMemory } from '#libs/engine';
import type { Dataset } from '#libs/database';
import { DomainError } from '../http/domain-error.js';
import type { RunSpec } from '#libs/contracts';

const MIB = 1024 ** 2;

/** Refuses, before anything is stored, a run whose worker would need more than `limitMb` of memory. */
export function checkRunMemory(dto: RunSpec, dataset: Pick<Dataset, 'width' | 'height' | 'channels' | 'classes' | 'numSamples'>, limitMb: number): void {
  const estimate = estimateRunMemory({
    architecture: {
      inputSize: dataset.width * dataset.height * dataset.channels,
      layers: dto.layers.map((layer) => ({ ...layer, bias: layer.bias ?? dto.bias })),
      outputBias: dto.bias,
      classes: dataset.classes,
      input: { width: dataset.width, height: dataset.height, channels: dataset.channels === 3 ? 3 : 1 },
    },
    optimizer: dto.optimizer.name,
    batchSize: dto.batchSize,
    samples: dataset.numSamples,
  });
  if (estimate.total <= limitMb * MIB) return;
  const mib = (bytes: number) => Math.ceil(bytes / MIB);
  const parts = Object.entries(estimate).filter(([part]) => part !== 'total').map(([part, bytes]) => `${part} ${mib(bytes)}`).join(', ');
  throw new DomainError(
    'INVALID_INPUT',
    `layers, batchSize: this run needs an estimated ${mib(estimate.total)} MiB on a worker (${parts} MiB); the limit is ${limitMb} MiB (MAX_RUN_MEMORY_MB): use fewer or smaller layers or a smaller batchSize`,
    { field: 'layers', estimateMb: mib(estimate.total), limitMb, parts: Object.fromEntries(Object.entries(estimate).map(([k, v]) => [k, mib(v)])) },
  );
}
