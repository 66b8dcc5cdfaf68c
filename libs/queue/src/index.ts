export * from './job-queue.js';
export * from './redis.js';
