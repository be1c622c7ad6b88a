export * from './config.js';
export * from './config-edit.js';
export * from './workspace.js';
export * from './init.js';
export * from './connections.js';
export * from './failures.js';
