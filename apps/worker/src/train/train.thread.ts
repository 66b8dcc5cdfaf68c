import { parentPort } from 'node:worker_threads';
import type { BackendPreference } from '#libs/contracts';
import { type BackendInfo, DivergedError, type EpochResult, evaluateModel, releaseCaches, selectBackend, train } from '#libs/engine';
import { checkpointDue } from './checkpoint-policy.js';
import type { ThreadCommand, ThreadMessage, TrainingInput } from './training-thread.js';

// Entry point of a training thread: trains one run at a time, as the worker asks, and posts each epoch back.
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);

// Checkpoints posted but not yet stored; past this many, training waits, so they cannot pile up in memory.
const UNSTORED_CHECKPOINTS = 2;
let stored = 0;
let wake: (() => void) | null = null;
const backends = new Map<BackendPreference, Promise<BackendInfo>>();

port.on('message', (command: ThreadCommand) => {
  if (command.type === 'stored') {
    stored = command.epoch;
    wake?.();
  } else if (command.type === 'warm') void loadBackend(command.backend).catch(() => undefined);
  else void trainRun(command.input);
});

/** Selected once per thread; a failure is not kept, so the next run tries again (and reports why). */
function loadBackend(preference: BackendPreference): Promise<BackendInfo> {
  let backend = backends.get(preference);
  if (!backend) {
    backends.set(preference, (backend = selectBackend(preference)));
    backend.catch(() => backends.delete(preference));
  }
  return backend;
}

async function trainRun(input: TrainingInput): Promise<void> {
  stored = input.startEpoch;
  const unstored: number[] = [];
  let lastEpoch: EpochResult | null = null;
  const taken = performance.now();
  let setupMs = 0;
  try {
    post({ type: 'ready', backend: await loadBackend(input.backend) });
    const data = { pixels: input.pixels, labels: input.labels, table: input.table, split: input.split ?? undefined };
    const result = await train(data, input.spec, input.architecture, {
      startEpoch: input.startEpoch,
      initialWeights: input.initialWeights ?? undefined,
      previousValLosses: input.previousValLosses,
      checkpointDue: checkpointDue(input.checkpoints),
      onEpoch: async (epoch) => {
        if (epoch.epoch === input.startEpoch + 1) setupMs = performance.now() - taken - epoch.seconds * 1000;
        // The last epoch goes with the outcome: its row and the model version are written together, and its
        // weights once, as the version (a checkpoint of it would be deleted in the same transaction).
        if (epoch.epoch === input.spec.epochs) return void (lastEpoch = { ...epoch, weights: null });
        post({ type: 'epoch', result: epoch });
        if (epoch.weights) unstored.push(epoch.epoch);
        while (unstored.filter((e) => e > stored).length >= UNSTORED_CHECKPOINTS) await new Promise<void>((resolve) => (wake = resolve));
      },
    });
    // Scored here, off the worker's event loop, with the same forward pass training used.
    const evaluationStart = performance.now();
    const evaluation = input.test && input.test.labels.length > 0 ? await evaluateModel(input.architecture, result.weights, input.test, input.spec.loss) : null;
    post({ type: 'done', outcome: { weights: result.weights, earlyStopped: result.earlyStopped, evaluation, evaluationMs: performance.now() - evaluationStart, lastEpoch, setupMs, storeWaitMs: 0 } });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    // A diverged loss diverges again on retry: the only error class the thread knows to be permanent.
    post({ type: 'error', name, message, permanent: error instanceof DivergedError });
  } finally {
    wake = null;
    // An idle thread holds no recycled arrays of the run it finished.
    releaseCaches();
  }
}
