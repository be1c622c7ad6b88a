export * from './connector.js';
export * from './http.js';
export * from './mapping.js';
export * from './records.js';
export * from './retry.js';
export * from './settings.js';
export * from './optimistic.js';
export * from './listing.js';
