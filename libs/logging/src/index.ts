export * from './log-fields.js';
export * from './logging.module.js';
