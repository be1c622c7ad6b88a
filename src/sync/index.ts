export { canonicalRecord } from './snapshot/canonical.js';
export { writeSnapshot, writeSnapshotFile, type ExportResult } from './snapshot/export.js';
export {
  IMPORT_MODES,
  importSnapshot,
  type EntityCounts,
  type ImportMode,
  type ImportOptions,
  type ImportResult,
  type RejectedRecord,
} from './snapshot/import.js';
export { SNAPSHOT_SCHEMA_VERSION, SnapshotWriter, type Sink } from './snapshot/layout.js';
export { readSnapshot, type SnapshotEvent } from './snapshot/reader.js';
export { normalizeRecord } from './snapshot/records.js';
export { META_EXPORTED_SEQ, META_SNAPSHOT_HASH } from './snapshot/meta-keys.js';
export {
  basePath,
  fileHash,
  importSnapshotFile,
  snapshotChanged,
  keepBase,
  removeBase,
  type SnapshotPaths,
} from './snapshot/workspace-files.js';
export {
  exportPending,
  exportSnapshot,
  hasUnexportedChanges,
  importIfChanged,
  markUnexported,
  unexportedMarked,
} from './snapshot/tracked.js';
export { exportQueued, runQueuedExport, takeExportFailure } from './snapshot/queue.js';
export { conflictRecord, fieldClock, mergeRecord, type FieldConflict, type RecordMerge } from './merge/merge-record.js';
export { snapshotJsonSchema } from './snapshot/json-schema.js';
export { mergeSnapshotFiles, type FileMergeResult } from './merge/merge-files.js';
export * from './git/index.js';
export * from './engine/index.js';
export {
  BASE_FLAGS,
  CONNECTORS,
  CONNECTOR_KINDS,
  SYNCED_TYPES,
  baseSettingsSchema,
  definitionOf,
  parseConnection,
  settingsProblem,
  type AnyConnectorDefinition,
  type ConnectionSettings,
  type Connector,
  type ConnectorSettings,
  type RawConnection,
  type SettingFlag,
  type SyncedType,
} from './connectors/index.js';
export { audit, audited, type AuditSource } from './audit.js';
