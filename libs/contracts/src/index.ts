export * from './jobs.js';
export * from './network.js';
export * from './workers.js';
