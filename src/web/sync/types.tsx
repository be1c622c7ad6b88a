import type { AuditEntry, SyncRun, SyncRunItem } from '../../domain/index.js';
import type { ConnectionInfo } from '../../server/index.js';

export type { AuditEntry, SyncRun, SyncRunItem };

/** `GET /api/v1/sync/connections` (see src/server/routes/sync-dashboard.ts). */
export interface Connection extends ConnectionInfo {
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

/** A run's counters as a table: a row per entity type, `6 create · 1 failed`. */
export function Counters({ counters }: { counters: Record<string, Partial<Record<string, number>>> }) {
  if (Object.keys(counters).length === 0) return null;
  return (
    <table class="counters">
      <tbody>
        {Object.entries(counters).map(([type, ops]) => (
          <tr key={type}>
            <th>{type}</th>
            <td>
              {Object.entries(ops)
                .map(([op, n]) => `${n ?? 0} ${op}`)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
