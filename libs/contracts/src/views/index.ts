export * from './common.js';
export * from './dataset-view.js';
export * from './model-view.js';
export * from './page.js';
export * from './run-view.js';
export * from './worker-view.js';
export * from './sweep-view.js';
export * from './run-comparison-view.js';
