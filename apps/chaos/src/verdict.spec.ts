import type { Fault } from './monkey.js';
import type { Progress } from './progress.js';
import { faultProblems, faultTable } from './verdict.js';

const idle: Progress = { running: 0, queued: 0, midTraining: 0, processingDatasets: 0, epochsStored: 0, busy: [] };
const training: Progress = { running: 3, queued: 5, midTraining: 2, processingDatasets: 0, epochsStored: 7, busy: [{ pid: 42, runId: 'r1', epoch: 2, epochs: 6 }] };
const fault = (kind: Fault['kind'], hit: Progress, victim?: Progress['busy'][number]): Fault => ({ kind, at: Date.parse('2026-01-01T10:00:00Z'), outageUntil: 0, hit, victim, detail: 'd' });

describe('the chaos verdict on faults', () => {
  it('accepts restarts that hit runs mid-training and a SIGKILL of a training worker', () => {
    const faults = [fault('Redis restarted empty', training), fault('Postgres restarted', training), fault('worker SIGKILL', training, training.busy[0])];
    expect(faultProblems(faults)).toEqual([]);
  });

  it('fails a restart that hit no live work, one that never came, and kills that hit no training worker', () => {
    const problems = faultProblems([fault('Redis restarted empty', idle), fault('worker SIGKILL', training)]);
    expect(problems).toEqual([
      'Redis restarted empty hit no run mid-training (0 RUNNING)',
      'Postgres restarted never happened: the runs ended before it found one mid-training',
      'none of the 1 SIGKILLs hit a worker while it was training a run',
    ]);
  });

  it('prints, per fault, the runs RUNNING, mid-training and QUEUED when it hit', () => {
    const [, header, row] = faultTable([fault('Postgres restarted', training)]);
    expect(header).toMatch(/RUNNING\s+mid-train\s+QUEUED/);
    expect(row).toMatch(/10:00:00\s+Postgres restarted\s+3\s+2\s+5\s+0\s+d$/);
  });
});
