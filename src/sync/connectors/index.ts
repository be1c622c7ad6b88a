export * from './sdk/index.js';
export { CONNECTOR_KINDS, createConnector } from './registry.js';
