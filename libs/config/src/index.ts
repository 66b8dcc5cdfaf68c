export * from './env.js';
export * from './load-config.js';
export * from './admin-key-file.js';
