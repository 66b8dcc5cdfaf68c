export * from './trainyard-client.js';
