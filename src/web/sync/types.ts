import type { AuditEntry, SyncRun, SyncRunItem } from '../../domain/index.js';

export type { AuditEntry, SyncRun, SyncRunItem };

/** `GET /api/v1/sync/connections` (see src/server/routes/sync-dashboard.ts). */
export interface Connection {
  name: string;
  kind: string;
  url: string;
  project: string;
  pm_project: string | null;
  strategy: string;
  key: 'env' | 'secrets' | 'missing';
  every_ms: number | null;
  next_run_at: string | null;
  status: string;
  active_run: SyncRun | null;
  last_run: SyncRun | null;
  last_success_at: string | null;
  open_failures: number;
}

/** A run's item as the API lists it: with the display key of the pm item it is or hangs on. */
export type RunItem = SyncRunItem & { local_key: string | null };
export type Failure = RunItem & { connection: string };

export const FINISHED = ['completed', 'completed_with_errors', 'failed', 'cancelled'];

/** "12 created, 3 updated" from a run's counters. */
export function summary(counters: SyncRun['counters']): string {
  const totals: Record<string, number> = {};
  for (const byOp of Object.values(counters))
    for (const [op, n] of Object.entries(byOp)) totals[op] = (totals[op] ?? 0) + (n ?? 0);
  const parts = Object.entries(totals)
    .filter(([op, n]) => n > 0 && op !== 'unchanged')
    .map(([op, n]) => `${n} ${op === 'create' ? 'created' : op === 'update' ? 'updated' : op === 'delete' ? 'deleted' : op}`);
  return parts.join(', ') || 'nothing to do';
}
