export * from './connector.js';
export * from './http.js';
export * from './retry.js';
