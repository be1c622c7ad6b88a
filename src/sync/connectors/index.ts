export type {
  Connector,
  ConnectorSettings,
  LocalPatch,
  PullOutcome,
  PullScope,
  RemoteRecord,
  SyncedFields,
  SyncedType,
} from './connector.js';
export { SYNCED_TYPES } from './connector.js';
export { CONNECTOR_KINDS, createConnector } from './registry.js';
