export * from './evaluation.js';
export * from './jobs.js';
export * from './network.js';
export * from './workers.js';
export * from './api-keys.js';
export * from './scheduling.js';
export * from './views/index.js';
