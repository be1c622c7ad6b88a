/**
 * The sync engine's own records: links between local and remote records, runs with their
 * items, and audit entries. They live in the local database only, never in snapshots.
 */

export const RUN_MODES = ['full', 'incremental'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const RUN_DIRECTIONS = ['pull', 'push', 'both'] as const;
export type RunDirection = (typeof RUN_DIRECTIONS)[number];

export const RUN_STATUSES = ['queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'completed_with_errors', 'failed', 'cancelled'];

export const CONFLICT_STRATEGIES = ['server_wins', 'client_wins', 'newest_wins', 'manual'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export const ITEM_OPERATIONS = ['create', 'update', 'delete', 'link', 'conflict'] as const;
export type ItemOperation = (typeof ITEM_OPERATIONS)[number];

/** `not_synced`: a failure marked not to sync (the remote refuses it); runs leave the record alone. */
export const ITEM_STATUSES = ['planned', 'done', 'failed', 'retried', 'not_synced'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** A local record paired with a remote one, and the state both last agreed on. */
export interface SyncLink {
  connection: string;
  entity_type: string;
  local_id: string;
  remote_id: string;
  remote_url: string | null;
  /** When the remote last changed the record, as last seen: repeated listings are skipped. */
  remote_updated_at: string | null;
  /** Hash of the local side's synced fields at the last sync. */
  local_hash: string;
  /** Hash of the remote side's synced fields at the last sync. */
  remote_hash: string;
  /** The synced fields as both sides last agreed: the base of three-way merges. */
  base: Record<string, unknown>;
  synced_at: string;
}

export interface RunFilters {
  /** Only these records (local ids or display keys, or remote ids). */
  ids?: string[];
  /** Only work items with these statuses. */
  status?: string[];
  /** Only records changed since this time. */
  updated_since?: string;
  /** Only records of these types (`POST /sync/{entity}`); kept last, where the run list's entity filter finds it. */
  entity_types?: string[];
}

/**
 * What happened, by entity type and operation. `overwrite_deleted`: of the deletions, those of
 * remote records pm does not have, by an overwrite run (counted under `delete` as well).
 */
export type RunCounters = Record<
  string,
  Partial<Record<ItemOperation | 'skipped' | 'failed' | 'unchanged' | 'overwrite_deleted', number>>
>;

export interface SyncRun {
  id: string;
  connection: string;
  mode: RunMode;
  direction: RunDirection;
  dry_run: boolean;
  /** The remote is made equal to pm: remote records pm does not have are deleted, pm wins every field. */
  overwrite_mode: boolean;
  /** Remote records an overwrite run deleted (a dry run: would delete), updated as it goes. */
  deletion_count: number;
  filters: RunFilters;
  idempotency_key: string | null;
  /** The run whose failures this one retries. */
  retry_of: string | null;
  status: RunStatus;
  requested_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  counters: RunCounters;
  /** The process running it (`pid@host`), to tell a live run from one whose process died. */
  owner: string | null;
  heartbeat_at: string | null;
  /** Set by `pm sync cancel`: the process running it stops at the next record. */
  cancel_requested_at: string | null;
}

/** One record a run acted on (or, in a dry run, would have). */
export interface SyncRunItem {
  id: string;
  run_id: string;
  seq: number;
  entity_type: string;
  local_id: string | null;
  remote_id: string | null;
  remote_url: string | null;
  direction: 'pull' | 'push';
  operation: ItemOperation;
  status: ItemStatus;
  error: string | null;
  attempts: number;
  /** The run that retried this failure. */
  retried_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  source_ip: string | null;
  user_agent: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: Record<string, unknown>;
}

/** A run's records in the seeds' terms: those it acted on (completed) or failed on, and both. */
export interface RunTotals {
  total_records: number;
  records_completed: number;
  records_failed: number;
}

/** Totals from a run's counters: unchanged and skipped records are neither completed nor failed. */
export function runTotals(counters: RunCounters): RunTotals {
  let completed = 0;
  let failed = 0;
  for (const byOperation of Object.values(counters))
    for (const [what, n] of Object.entries(byOperation)) {
      if (what === 'failed') failed += n;
      else if (what !== 'unchanged' && what !== 'skipped' && what !== 'overwrite_deleted') completed += n;
    }
  return { total_records: completed + failed, records_completed: completed, records_failed: failed };
}

/** A run with its totals, as the API lists runs. */
export function withTotals(run: SyncRun): SyncRun & RunTotals {
  return { ...run, ...runTotals(run.counters) };
}
