import { Worker } from 'node:worker_threads';
import type { Architecture, BackendPreference, EvaluationView, TrainingSpec } from '#libs/contracts';
import type { EpochResult, TestSet } from '#libs/engine';

/** What a training thread needs: the samples as bytes, the spec, and where to resume. */
export interface TrainingInput {
  pixels: Uint8Array;
  labels: Int32Array;
  /** Activation per byte value and channel (see LabelledPixels.table). */
  table: Float32Array;
  /** The dataset's split per sample, or null when the run draws its own validation set. */
  split: Uint8Array | null;
  spec: TrainingSpec;
  architecture: Architecture;
  startEpoch: number;
  initialWeights: Uint8Array | null;
  /** Validation losses of the epochs already done, for early stopping's patience. */
  previousValLosses: (number | null)[];
  backend: BackendPreference;
  /** The dataset's test split, scored once training ends; null when it has none. */
  test: TestSet | null;
}

/** How training ended: the final weights, and whether early stopping cut it short. */
export interface TrainingOutcome {
  weights: Uint8Array;
  earlyStopped?: { epoch: number; bestEpoch: number };
  /** The final weights on the test split; null when the dataset has no test samples. */
  evaluation: EvaluationView | null;
}

export type ThreadMessage =
  | { type: 'ready'; backend: { name: string; device: string } }
  | { type: 'epoch'; result: EpochResult }
  | { type: 'done'; outcome: TrainingOutcome }
  | { type: 'error'; name: string; message: string; permanent?: boolean };

/** An error raised inside the training thread, carried across with its name and whether a retry could help. */
export class TrainingThreadError extends Error {
  constructor(
    name: string,
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = name;
  }
}

const THREAD_ENTRY = new URL('./train.thread.js', import.meta.url);

/**
 * Trains in a worker thread so the event loop stays free to renew BullMQ's lock. Epochs are handed to
 * `onEpoch` one at a time, in order; if it throws, or `signal` aborts, the thread is stopped at once.
 * Resolves with the final weights. `input.pixels` is transferred: it is empty here afterwards.
 */
export function runTrainingThread(
  input: TrainingInput,
  handlers: { onEpoch: (result: EpochResult) => Promise<void>; signal: AbortSignal },
): Promise<TrainingOutcome> {
  return new Promise((resolve, reject) => {
    // The samples move to the thread rather than being copied: the worker holds the dataset once.
    const thread = new Worker(THREAD_ENTRY, { workerData: input, transferList: [input.pixels.buffer as ArrayBuffer] });
    let chain = Promise.resolve();
    let settled = false;
    const settle = (error: Error | null, outcome?: TrainingOutcome) => {
      if (settled) return;
      settled = true;
      handlers.signal.removeEventListener('abort', onAbort);
      void thread.terminate();
      if (error) reject(error);
      else resolve(outcome!);
    };
    const onAbort = () => settle(new TrainingThreadError('AbortError', 'training stopped before it finished'));
    handlers.signal.addEventListener('abort', onAbort);
    if (handlers.signal.aborted) return onAbort();

    thread.on('message', (message: ThreadMessage) => {
      // Every step waits for the epochs before it to be stored, so "done" never overtakes an epoch.
      chain = chain
        .then(async () => {
          if (message.type === 'epoch') await handlers.onEpoch(message.result);
          else if (message.type === 'done') settle(null, message.outcome);
          else if (message.type === 'error') settle(new TrainingThreadError(message.name, message.message, message.permanent));
        })
        .catch((error: Error) => settle(error));
    });
    thread.on('error', (error) => settle(error));
    // Queued behind the messages, so a clean exit after "done" is not mistaken for a crash.
    thread.on('exit', (code) => {
      chain = chain.then(() => settle(new TrainingThreadError('ThreadExit', `training thread exited with code ${code}`)));
    });
  });
}
