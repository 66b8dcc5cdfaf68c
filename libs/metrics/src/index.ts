export * from './metric-names.js';
export * from './metrics-server.js';
export * from './exposition.js';
