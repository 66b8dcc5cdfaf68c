/** Training produced a NaN or infinite loss; retrying the same spec would only diverge again. */
export class DivergedError extends Error {
  readonly code = 'TRAINING_DIVERGED';

  constructor(
    readonly epoch: number,
    readonly batch: number,
  ) {
    super(`loss diverged at epoch ${epoch}, batch ${batch}`);
    this.name = 'DivergedError';
  }
}
