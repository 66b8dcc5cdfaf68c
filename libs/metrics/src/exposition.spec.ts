import { mergeExpositions } from './exposition.js';

describe('mergeExpositions', () => {
  it('declares each family once and keeps its samples together', () => {
    const queue = (name: string) =>
      [
        '# HELP bullmq_job_count Number of jobs',
        '# TYPE bullmq_job_count gauge',
        `bullmq_job_count{queue="${name}", state="waiting"} 1`,
        '# HELP bullmq_job_failed_total failed',
        '# TYPE bullmq_job_failed_total counter',
        `bullmq_job_failed_total{queue="${name}"} 0`,
      ].join('\n');
    const merged = mergeExpositions([queue('a'), queue('b'), '# TYPE up gauge\nup 1\n']).split('\n');
    expect(merged.filter((l) => l === '# TYPE bullmq_job_count gauge')).toHaveLength(1);
    const counts = merged.indexOf('# TYPE bullmq_job_count gauge');
    expect(merged.slice(counts + 1, counts + 3)).toEqual([
      'bullmq_job_count{queue="a", state="waiting"} 1',
      'bullmq_job_count{queue="b", state="waiting"} 1',
    ]);
    expect(merged).toContain('up 1');
  });
});
