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

/** Counter names that need words; `overwrite_deleted` counts, of the deletions, those of records pm does not have. */
const OPERATION_LABELS: Record<string, string> = { overwrite_deleted: 'of them not in pm' };

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
                .map(([op, n]) => `${n ?? 0} ${OPERATION_LABELS[op] ?? op}`)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "12 created, 3 updated" from a run's counters (an overwrite's deletions are among the deleted). */
export function summary(counters: SyncRun['counters']): string {
  const totals: Record<string, number> = {};
  for (const byOp of Object.values(counters))
    for (const [op, n] of Object.entries(byOp)) if (op !== 'overwrite_deleted') totals[op] = (totals[op] ?? 0) + (n ?? 0);
  const parts = Object.entries(totals)
    .filter(([op, n]) => n > 0 && op !== 'unchanged')
    .map(([op, n]) => `${n} ${op === 'create' ? 'created' : op === 'update' ? 'updated' : op === 'delete' ? 'deleted' : op}`);
  return parts.join(', ') || 'nothing to do';
}

/** What an overwrite run did to the remote: "2 remote records pm does not have, deleted"; nothing for other runs. */
export function overwriteNote(run: Pick<SyncRun, 'overwrite_mode' | 'deletion_count' | 'dry_run'>): string | undefined {
  if (!run.overwrite_mode) return undefined;
  const records = run.deletion_count === 1 ? 'record' : 'records';
  return `${run.deletion_count} remote ${records} pm does not have, ${run.dry_run ? 'to delete' : 'deleted'}`;
}
