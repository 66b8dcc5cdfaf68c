import { bestRun, sweepStatus } from './index.js';

const counts = (c: Partial<Record<'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED', number>>) => {
  const full = { QUEUED: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, ...c };
  return { ...full, total: Object.values(full).reduce((a, b) => a + b, 0) };
};
const final = (valAccuracy: number | null, valLoss: number | null) => ({ epoch: 1, loss: 1, accuracy: 0.5, valLoss, valAccuracy });

describe("a sweep's status and best run", () => {
  it.each([
    [counts({ RUNNING: 1, SUCCEEDED: 2 }), false, 'RUNNING'],
    [counts({ QUEUED: 1, CANCELLED: 1 }), true, 'RUNNING'], // a cancel under way: its runs have not all stopped yet
    [counts({ SUCCEEDED: 1, FAILED: 2 }), false, 'SUCCEEDED'],
    [counts({ FAILED: 2, CANCELLED: 1 }), false, 'FAILED'],
    [counts({ CANCELLED: 3 }), false, 'CANCELLED'],
    [counts({ SUCCEEDED: 2, CANCELLED: 1 }), true, 'CANCELLED'],
  ])('%o (cancelled: %s) is %s', (c, cancelled, status) => {
    expect(sweepStatus(c, cancelled)).toBe(status);
  });

  it('picks the highest accuracy or the lowest loss among succeeded runs, the lower index on a tie', () => {
    const runs = [
      { index: 0, status: 'SUCCEEDED', final: final(0.8, 0.5) },
      { index: 1, status: 'FAILED', final: final(0.99, 0.01) },
      { index: 2, status: 'SUCCEEDED', final: final(0.9, 0.7) },
      { index: 3, status: 'SUCCEEDED', final: final(0.9, 0.4) },
      { index: 4, status: 'SUCCEEDED', final: final(null, null) },
      { index: 5, status: 'QUEUED', final: null },
    ];
    expect(bestRun(runs, 'valAccuracy')).toEqual({ run: runs[2], value: 0.9 });
    expect(bestRun(runs, 'valLoss')).toEqual({ run: runs[3], value: 0.4 });
    expect(bestRun(runs.slice(4), 'valAccuracy')).toBeNull();
  });
});
