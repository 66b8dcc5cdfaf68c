export * from './jobs.js';
export * from './network.js';
