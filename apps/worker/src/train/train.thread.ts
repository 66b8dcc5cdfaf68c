import { parentPort, workerData } from 'node:worker_threads';
import { DivergedError, evaluateModel, selectBackend, train } from '#libs/engine';
import type { ThreadMessage, TrainingInput } from './training-thread.js';

// Entry point of a training thread: trains and posts each epoch back to the worker's main thread.
const input = workerData as TrainingInput;
const post = (message: ThreadMessage) => parentPort!.postMessage(message);

try {
  post({ type: 'ready', backend: await selectBackend(input.backend) });
  const data = { pixels: input.pixels, labels: input.labels, table: input.table, split: input.split ?? undefined };
  const result = await train(data, input.spec, input.architecture, {
    startEpoch: input.startEpoch,
    initialWeights: input.initialWeights ?? undefined,
    previousValLosses: input.previousValLosses,
    onEpoch: (epoch) => post({ type: 'epoch', result: epoch }),
  });
  // Scored here, off the worker's event loop, with the same forward pass training used.
  const evaluation = input.test && input.test.labels.length > 0 ? await evaluateModel(input.architecture, result.weights, input.test, input.spec.loss) : null;
  post({ type: 'done', outcome: { weights: result.weights, earlyStopped: result.earlyStopped, evaluation } });
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  // A diverged loss diverges again on retry: the only error class the thread knows to be permanent.
  post({ type: 'error', name, message, permanent: error instanceof DivergedError });
}
