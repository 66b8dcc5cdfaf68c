import { setTimeout as sleep } from 'node:timers/promises';
import { type PrivateService, startPrivateRedis } from '#libs/testing';
import { createRedis } from './redis.js';
import { RunEvents } from './run-events.js';

describe('a subscription made from the API\'s fail-fast connection', () => {
  let redis: PrivateService;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(() => redis?.remove());

  it('outlives a Redis restart: announcements made after it still arrive', async () => {
    const failFast = createRedis(redis.url, { failFast: true });
    await failFast.connect();
    const publisher = createRedis(redis.url);
    const events = new RunEvents(failFast, 'sub-test');
    const received: string[] = [];
    const close = await events.listen((runId) => received.push(runId));
    try {
      new RunEvents(publisher, 'sub-test').announce('before');
      await waitFor(() => received.includes('before'));

      await redis.stop();
      await sleep(300);
      await redis.start();
      // Announce until one lands: the subscriber reconnects (and resubscribes) on its own schedule.
      for (let i = 0; !received.some((id) => id.startsWith('after-')) && i < 100; i++) {
        new RunEvents(publisher, 'sub-test').announce(`after-${i}`);
        await sleep(200);
      }
      expect(received.some((id) => id.startsWith('after-'))).toBe(true);
    } finally {
      close();
      failFast.disconnect();
      publisher.disconnect();
    }
  }, 40_000);

  it('announcing never throws or waits while Redis is down', async () => {
    const failFast = createRedis(redis.url, { failFast: true });
    await failFast.connect();
    failFast.on('error', () => undefined);
    await redis.stop();
    try {
      expect(() => new RunEvents(failFast, 'sub-test').announce('lost')).not.toThrow();
    } finally {
      await redis.start();
      failFast.disconnect();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`not true after ${timeoutMs} ms`);
  }
}
