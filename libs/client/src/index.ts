export * from './trainyard-client.js';
export * from './evaluation-table.js';
export * from './text-table.js';
