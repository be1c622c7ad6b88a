import { isPmError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { recordAudit } from './engine/history.js';
import type { ImportMode, ImportResult } from './snapshot/import.js';

/** Who did something and from where, for the audit log; `log` hears a failure to write it. */
export interface AuditSource {
  actor: string;
  at: string;
  source_ip?: string | null;
  user_agent?: string | null;
  log: (message: string) => void;
}

/** An audit entry outside sync runs; like every audit write, a failure is logged, never thrown. */
export function audit(
  store: Store,
  source: AuditSource,
  entry: { action: string; entity_type: string; entity_id: string | null; details: Record<string, unknown> },
): Promise<void> {
  const { log, ...who } = source;
  return recordAudit(store.sync, log, { ...who, ...entry });
}

/** Totals over entity types: what an audit entry says of an import. */
function totals(result: ImportResult): Record<string, number> {
  const sum = { created: 0, updated: 0, deleted: 0, conflicts: 0, rejected: 0 };
  for (const counts of Object.values(result.counts))
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += counts[key];
  return sum;
}

/** Audits an import, done or refused: the file, the mode, the totals or the error's code. */
function auditImport(
  store: Store,
  source: AuditSource,
  what: { file: string; mode: ImportMode; dry_run: boolean },
  outcome: { result: ImportResult } | { error: unknown },
): Promise<void> {
  if ('result' in outcome) {
    return audit(store, source, {
      action: 'snapshot_imported',
      entity_type: 'snapshot',
      entity_id: outcome.result.hash,
      details: { ...what, ...totals(outcome.result) },
    });
  }
  const error = outcome.error;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  return audit(store, source, {
    action: 'snapshot_import_refused',
    entity_type: 'snapshot',
    entity_id: null,
    details: { ...what, error: { code: isPmError(error) ? error.code : 'internal', message } },
  });
}

/** Runs an import and audits it, done or refused; the import's answer or error passes through. */
export async function audited(
  store: Store,
  source: () => AuditSource,
  what: { file: string; mode: ImportMode; dry_run: boolean },
  run: () => Promise<ImportResult>,
): Promise<ImportResult> {
  try {
    const result = await run();
    await auditImport(store, source(), what, { result });
    return result;
  } catch (error) {
    await auditImport(store, source(), what, { error });
    throw error;
  }
}
