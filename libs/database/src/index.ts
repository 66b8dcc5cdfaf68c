export * from './connection.js';
export * from './database.module.js';
export * from './migrator.js';
export * from './prisma.service.js';
export * from './generated/client.js';
