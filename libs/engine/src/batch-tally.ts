import * as tf from '@tensorflow/tfjs';

// Batches whose loss and correct count wait on the device before one read brings them all back.
const READ_EVERY = 32;

/**
 * Sums per-batch losses (weighted by batch size) and correct counts, reading them back from the device
 * in groups: on a GPU every read is a round trip that stalls the queue, so one per batch would cost more
 * than a small network's step. Sums are taken in batch order in float64, as reading each batch at once did.
 */
export class BatchTally {
  private pending: { number: number; size: number; loss: tf.Scalar; correct: tf.Scalar }[] = [];
  private lossSum = 0;
  private correct = 0;

  constructor(private readonly readEvery = READ_EVERY) {}

  /** Takes ownership of both tensors. */
  add(number: number, size: number, loss: tf.Scalar, correct: tf.Scalar): void {
    this.pending.push({ number, size, loss, correct });
  }

  get full(): boolean {
    return this.pending.length >= this.readEvery;
  }

  /** Reads what is pending, calling `check` with each batch's loss in order (it may throw), and returns the sums so far. */
  async read(check?: (loss: number, number: number) => void): Promise<{ lossSum: number; correct: number }> {
    const batches = this.pending;
    if (batches.length > 0) {
      const stacked = tf.tidy(() => tf.stack(batches.flatMap((b) => [b.loss, b.correct])));
      const values = await stacked.data().finally(() => stacked.dispose());
      this.dispose();
      batches.forEach((b, i) => {
        const loss = values[2 * i]!;
        check?.(loss, b.number);
        this.lossSum += loss * b.size;
        this.correct += values[2 * i + 1]!;
      });
    }
    return { lossSum: this.lossSum, correct: this.correct };
  }

  /** Frees the tensors not yet read. */
  dispose(): void {
    for (const b of this.pending) {
      b.loss.dispose();
      b.correct.dispose();
    }
    this.pending = [];
  }
}
