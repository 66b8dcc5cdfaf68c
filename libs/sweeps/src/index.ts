export * from './sweep-paths.js';
export * from './sweep-expansion.js';
export * from './sweep-outcome.js';
