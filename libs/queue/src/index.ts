export * from './job-queue.js';
export * from './redis.js';
export * from './queue.module.js';
export * from './run-signals.js';
export * from './run-events.js';
