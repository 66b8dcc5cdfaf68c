import { formatReport, runBigFiles } from '../bench/big-files/scenario.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '#libs/testing';

// npm run check:bigfiles' upload at a thirteenth of its size (a ~155 MB zip) through the built API and
// worker. Before uploads streamed to disk and blobs moved in binary, the API held the zip and its base64
// string (over +360 MB here) and the worker the zip and its hex string (over +460 MB). Checkpoints through
// blobs, killed and resumed, are covered by test/end-to-end.spec.ts.
describe('big files through the real processes', () => {
  it('uploads a 155 MB zip to READY with the API and worker memory growing far less than the zip', async () => {
    const report = await runBigFiles({ images: 54, side: 1000, inputSide: 64, databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL, env: { TRAIN_BACKEND: 'cpu' } });
    console.log(formatReport(report));
    expect(report.uploadBytes).toBeGreaterThan(150 * 1024 ** 2);
    expect(report.datasetStatus).toBe('READY');
    const growth = Object.fromEntries(report.uploadPeaks.map((p) => [p.process, p.peakMb - p.beforeMb]));
    expect(growth.api).toBeLessThan(160);
    expect(growth['worker-1']).toBeLessThan(256);
  }, 180_000);
});
