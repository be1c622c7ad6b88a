export type {
  ApiToken,
  ClearedLink,
  Dialect,
  Filter,
  HeldLock,
  ItemJson,
  KeyAlias,
  ListQuery,
  NumberedRow,
  OrderOptions,
  OrderTerm,
  Store,
  TokenScope,
  WriteOptions,
} from './store.js';
export { TOKEN_SCOPES } from './store.js';
export { openStore, isPostgresUrl } from './open.js';
export { LATEST_SCHEMA_VERSION } from './migrations/latest.js';
export { idChunks } from './id-chunks.js';
export { columnKinds, columnsOf, fromValues, jsonText, rowJsonEncoder, toValues } from './rows.js';
export type { AuditQuery, FailureQuery, LinkReader, RunQuery, SyncRepository } from './sync-repository.js';
export { lockFile, withFileLock } from './sqlite/file-lock.js';
export type { BatchQueue, BatchResult, BatchStatus, SyncBatch } from './sync-batches.js';
export type { RateReservation } from './rate-limits.js';
