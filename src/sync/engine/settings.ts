import type { ConflictStrategy } from '../../domain/index.js';
import type { ConnectorSettings } from '../connectors/index.js';

/** A connection as the engine runs it: the connector's settings and how to run against it. */
export interface ConnectionSettings extends Omit<ConnectorSettings, 'localStatuses' | 'beforeRequest'> {
  strategy: ConflictStrategy;
  /** Remote requests in flight at once. */
  workers: number;
  /** Remote requests a second at most (0: no limit). */
  ratePerSecond: number;
  /** The pm project synced (its key); optional when there is one project. */
  pmProject: string | undefined;
}

/** How far back an incremental pull looks before its cursor: the remote's clock is coarse. */
export const CURSOR_OVERLAP_MS = 10_000;
/** Failures in a row that make a run stop calling the remote (it is down, not one bad record). */
export const BREAKER_THRESHOLD = 5;
