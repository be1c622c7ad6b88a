import {
  newId,
  type AuditEntry,
  type ItemOperation,
  type RunCounters,
  type SyncRun,
  type SyncRunItem,
} from '../../domain/index.js';
import type { SyncRepository } from '../../store/index.js';
import type { RunEvent } from './events.js';

const FLUSH_EVERY = 100;

export type ItemReport = Pick<
  SyncRunItem,
  'entity_type' | 'local_id' | 'remote_id' | 'remote_url' | 'direction' | 'operation' | 'status' | 'error' | 'attempts'
>;

export interface Requester {
  actor: string;
  source_ip?: string | null;
  user_agent?: string | null;
}

/**
 * A run's history: its items (written in batches) and counters, and audit entries. Writing
 * history never fails a run: an error here is logged and the run goes on.
 */
export class RunRecorder {
  readonly counters: RunCounters = {};
  /** Every item so far, in order: what a late subscriber to the run's events catches up from. */
  readonly items: SyncRunItem[] = [];
  failed = 0;
  done = 0;
  /** Remote records an overwrite run deleted (or, dry, would delete). */
  deletions = 0;
  private seq = 0;
  private pending: SyncRunItem[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: Pick<SyncRepository, 'insertRunItems' | 'updateRun' | 'insertAudit'>,
    private readonly run: SyncRun,
    private readonly emit: (event: RunEvent) => void,
    private readonly log: (message: string) => void,
    private readonly clock: () => number,
    /** Where item numbers start: a batch of a split run numbers its items after the earlier batches'. */
    firstSeq = 0,
  ) {
    this.seq = firstSeq;
  }

  count(type: string, what: ItemOperation | 'skipped' | 'failed' | 'unchanged' | 'overwrite_deleted', by = 1): void {
    const counters = (this.counters[type] ??= {});
    counters[what] = (counters[what] ?? 0) + by;
  }

  item(report: ItemReport): SyncRunItem {
    const at = new Date(this.clock()).toISOString();
    const item: SyncRunItem = {
      id: newId(),
      run_id: this.run.id,
      seq: ++this.seq,
      retried_by: null,
      created_at: at,
      updated_at: at,
      ...report,
    };
    if (item.status === 'failed') {
      this.failed++;
      this.count(item.entity_type, 'failed');
    } else {
      this.done++;
      this.count(item.entity_type, item.operation);
    }
    this.pending.push(item);
    this.items.push(item);
    if (this.pending.length >= FLUSH_EVERY) void this.flush();
    this.emit({
      type: item.status === 'failed' ? 'item_failed' : item.status === 'planned' ? 'item_planned' : 'item_done',
      item,
    });
    return item;
  }

  /** A remote record an overwrite run deleted: counted on the run and under its type. */
  deleted(type: string): void {
    this.deletions++;
    this.count(type, 'overwrite_deleted');
  }

  /** Writes what is recorded so far, items and counts: a run killed after this still shows it. */
  async checkpoint(): Promise<void> {
    await this.flush();
    await this.updateRun({ counters: this.counters, deletion_count: this.deletions });
  }

  /** Writes buffered items; resolves when everything recorded so far is written (or logged as lost). */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.repo.insertRunItems(batch);
      } catch (error) {
        this.log(`sync history: could not record ${batch.length} item(s) of run ${this.run.id}: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  async updateRun(patch: Partial<SyncRun>): Promise<void> {
    try {
      await this.repo.updateRun(this.run.id, patch);
    } catch (error) {
      this.log(`sync history: could not update run ${this.run.id}: ${(error as Error).message}`);
    }
  }

  async audit(action: string, requester: Requester, details: Record<string, unknown>): Promise<void> {
    await recordAudit(this.repo, this.log, {
      action,
      entity_type: 'sync_run',
      entity_id: this.run.id,
      details,
      at: new Date(this.clock()).toISOString(),
      ...requester,
    });
  }
}

/** One audit entry; a failure to write it is logged, never thrown. */
export async function recordAudit(
  repo: Pick<SyncRepository, 'insertAudit'>,
  log: (message: string) => void,
  entry: Omit<AuditEntry, 'id' | 'source_ip' | 'user_agent'> & { source_ip?: string | null; user_agent?: string | null },
): Promise<void> {
  try {
    await repo.insertAudit({ id: newId(), source_ip: null, user_agent: null, ...entry });
  } catch (error) {
    log(`audit: could not record ${entry.action}: ${(error as Error).message}`);
  }
}
