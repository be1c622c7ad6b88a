export {
  SyncEngine,
  type EngineOptions,
  type EngineRetryTarget,
  type RunDetail,
  type RunRequest,
  type SyncMetrics,
} from './engine.js';
export { RunEvents, type RunEvent, type RunListener, type RunPhase, type RunWaiting } from './events.js';
export type { Requester } from './history.js';
export type { HealthCheck, SyncHealth } from './health.js';
export { DEFAULT_RETRY, type RetryPolicy } from '../connectors/index.js';
export {
  LocalSyncService,
  resolveRetryTarget,
  resolveSyncId,
  type FailureQuery,
  type RetryTarget,
  type SyncService,
} from './service.js';
export { SyncScheduler, type ScheduledConnection } from './scheduler.js';
export { DEFAULT_SCALE_OUT, type ScaleOutOptions } from './scale-out.js';
