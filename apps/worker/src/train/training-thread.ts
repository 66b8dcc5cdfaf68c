import { Worker } from 'node:worker_threads';
import type { Architecture, BackendPreference, EvaluationView, TrainingSpec } from '#libs/contracts';
import type { EpochResult, TestSet } from '#libs/engine';
import type { CheckpointPolicy } from './checkpoint-policy.js';

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
  checkpoints: CheckpointPolicy;
}

/** How training ended: the final weights, and whether early stopping cut it short. */
export interface TrainingOutcome {
  weights: Uint8Array;
  earlyStopped?: { epoch: number; bestEpoch: number };
  /** The final weights on the test split; null when the dataset has no test samples. */
  evaluation: EvaluationView | null;
  /** Time spent scoring the test split. */
  evaluationMs: number;
  /** From the thread taking the run to its first epoch starting: samples to activations, the network. */
  setupMs: number;
  /** From the thread finishing to the epochs before the last being stored. */
  storeWaitMs: number;
  /** The run's last epoch (without its weights, which are `weights`), not yet stored: it is stored with the model version. */
  lastEpoch: EpochResult | null;
}

/** Thread → worker. */
export type ThreadMessage =
  | { type: 'ready'; backend: { name: string; device: string } }
  | { type: 'epoch'; result: EpochResult }
  | { type: 'done'; outcome: TrainingOutcome }
  | { type: 'error'; name: string; message: string; permanent?: boolean };

/** Worker → thread: a run to train, or word that every epoch up to `epoch` is stored. */
export type ThreadCommand = { type: 'train'; input: TrainingInput } | { type: 'stored'; epoch: number } | { type: 'warm'; backend: BackendPreference };

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

// A thread kept between runs skips its start-up (a new V8 isolate, tfjs and the backend: hundreds of ms).
const idle: Worker[] = [];

/**
 * Trains in a worker thread so the event loop stays free to renew BullMQ's lock. Epochs are handed to
 * `onEpochs` in order, all that arrived while the previous call ran in one call (so short epochs share a
 * write); if it throws, or `signal` aborts, the thread is stopped at once. Resolves with the final weights.
 * `input.pixels` is transferred: it is empty here afterwards. A thread that finished cleanly is kept for the next run.
 */
export function runTrainingThread(
  input: TrainingInput,
  handlers: { onEpochs: (results: EpochResult[]) => Promise<void>; signal: AbortSignal },
): Promise<TrainingOutcome> {
  return new Promise((resolve, reject) => {
    if (handlers.signal.aborted) return reject(new TrainingThreadError('AbortError', 'training stopped before it finished'));
    const thread = idle.pop() ?? new Worker(THREAD_ENTRY);
    thread.ref();
    const pending: EpochResult[] = [];
    let writing: Promise<void> | null = null;
    let finished: TrainingOutcome | null = null;
    let finishedAt = 0;
    let settled = false;
    const settle = (error: Error | null, outcome?: TrainingOutcome) => {
      if (settled) return;
      settled = true;
      handlers.signal.removeEventListener('abort', onAbort);
      thread.off('message', onMessage);
      thread.off('error', onError);
      thread.off('exit', onExit);
      // Only a thread that ended its run cleanly goes back; one stopped mid-run may be anywhere in a step.
      if (error) void thread.terminate();
      else keep(thread);
      if (error) reject(error);
      else resolve(outcome!);
    };
    // Drains the epochs that arrived meanwhile; "done" settles only once every epoch before it is stored.
    const write = (): void => {
      if (writing || settled) return;
      if (pending.length === 0) {
        if (finished) settle(null, { ...finished, storeWaitMs: performance.now() - finishedAt });
        return;
      }
      const batch = pending.splice(0);
      writing = handlers
        .onEpochs(batch)
        .then(() => {
          writing = null;
          thread.postMessage({ type: 'stored', epoch: batch.at(-1)!.epoch } satisfies ThreadCommand);
          write();
        })
        .catch((error: Error) => settle(error));
    };
    const onAbort = () => settle(new TrainingThreadError('AbortError', 'training stopped before it finished'));
    const onMessage = (message: ThreadMessage) => {
      if (message.type === 'epoch') pending.push(message.result);
      else if (message.type === 'done') {
        finished = message.outcome;
        finishedAt = performance.now();
      }
      else if (message.type === 'error') return settle(new TrainingThreadError(message.name, message.message, message.permanent));
      write();
    };
    const onError = (error: Error) => settle(error);
    const onExit = (code: number) => settle(new TrainingThreadError('ThreadExit', `training thread exited with code ${code}`));
    handlers.signal.addEventListener('abort', onAbort);
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.on('exit', onExit);
    // The samples move to the thread rather than being copied: the worker holds the dataset once.
    thread.postMessage({ type: 'train', input } satisfies ThreadCommand, [input.pixels.buffer as ArrayBuffer]);
  });
}

/** An idle thread does not keep the process alive. */
function keep(thread: Worker): void {
  thread.unref();
  idle.push(thread);
}

/** Starts `count` threads and loads the backend in each, so the first runs find them ready. */
export function warmTrainingThreads(count: number, backend: BackendPreference): void {
  for (let i = idle.length; i < count; i++) {
    const thread = new Worker(THREAD_ENTRY);
    thread.postMessage({ type: 'warm', backend } satisfies ThreadCommand);
    keep(thread);
  }
}

/** Stops the threads kept for later runs (at shutdown). */
export async function closeTrainingThreads(): Promise<void> {
  await Promise.all(idle.splice(0).map((thread) => thread.terminate()));
}
