export * from './connection.js';
export * from './database.module.js';
export * from './migrator.js';
export * from './prisma.service.js';
export * from './generated/client.js';
export * from './pg-binary.js';
export * from './blob-store.js';
export * from './sample-store.js';
