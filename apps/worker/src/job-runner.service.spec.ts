import { JobName, QueueName } from '#libs/contracts';
import type { JobHandler } from './job-handler.js';
import { indexHandlers, queuesFor } from './job-runner.service.js';

const handler = (name: JobName): JobHandler => ({ name, handle: async () => undefined, onFinalFailure: async () => undefined });

describe('indexHandlers', () => {
  it('maps every job name to its one handler', () => {
    const byName = indexHandlers(Object.values(JobName).map(handler));
    expect([...byName.keys()].sort()).toEqual(Object.values(JobName).sort());
  });

  it('refuses to start when a job name has no handler, naming it', () => {
    expect(() => indexHandlers([handler(JobName.TrainRun)])).toThrow(/no handler for job\(s\) .*preprocess-dataset/i);
  });

  it('refuses to start when a job name has two handlers', () => {
    const all = Object.values(JobName).map(handler);
    expect(() => indexHandlers([...all, handler(JobName.TrainRun)])).toThrow(/two handlers for job train-run/i);
  });
});

describe('queuesFor', () => {
  it('gives a worker on a GPU the GPU-only training queue, and a CPU worker never', () => {
    expect(queuesFor(true)).toEqual([QueueName.Preprocess, QueueName.Train, QueueName.TrainGpu]);
    expect(queuesFor(false)).toEqual([QueueName.Preprocess, QueueName.Train]);
  });
});
