export * from './sdk/index.js';
export { CONNECTORS, CONNECTOR_KINDS, definitionOf } from './registry.js';
