/** How often a run's training state is checkpointed: every `everyEpochs` epochs, but no more often than every `minSeconds`. */
export interface CheckpointPolicy {
  everyEpochs: number;
  minSeconds: number;
}

/**
 * Decides, epoch by epoch, whether to checkpoint: short epochs are checkpointed about every `minSeconds`,
 * long ones every `everyEpochs` epochs (whichever is rarer). The trainer always checkpoints the last epoch.
 */
export function checkpointDue(policy: CheckpointPolicy, now: () => number = () => performance.now()): (epoch: number) => boolean {
  let last = now();
  return (epoch) => {
    if (epoch % policy.everyEpochs !== 0 || now() - last < policy.minSeconds * 1000) return false;
    last = now();
    return true;
  };
}
