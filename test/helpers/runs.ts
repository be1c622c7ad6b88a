import { newId, type SyncRun } from '../../src/domain/index.js';

/** A sync run as the database holds it: running, on connection `redmine`, owned by another machine, unless told. */
export function runRecord(more: Partial<SyncRun> = {}): SyncRun {
  const at = new Date().toISOString();
  const status = more.status ?? 'running';
  const finished = status !== 'running' && status !== 'queued';
  return {
    id: newId(),
    connection: 'redmine',
    mode: 'incremental',
    direction: 'both',
    dry_run: false,
    overwrite_mode: false,
    deletion_count: 0,
    filters: {},
    idempotency_key: null,
    retry_of: null,
    status,
    requested_by: 'someone',
    created_at: at,
    started_at: at,
    finished_at: finished ? at : null,
    duration_ms: finished ? 1200 : null,
    error: null,
    counters: {},
    owner: '1@another-host',
    heartbeat_at: at,
    cancel_requested_at: null,
    ...more,
  };
}
