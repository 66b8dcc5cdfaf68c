export * from './test-database.js';
export * from './fixtures.js';
export * from './system.js';
export * from './private-services.js';
export * from './tcp-proxy.js';
export * from './software-gpu.js';
export * from './sse.js';
