import { AmbiguousRefError, NotFoundError, isUuid, type SyncRun, type SyncRunItem } from '../../domain/index.js';
import type { RunQuery, SyncRepository } from '../../store/index.js';
import type { RunDetail, RunRequest, SyncEngine, SyncMetrics } from './engine.js';
import type { RunListener } from './events.js';
import type { Requester } from './history.js';

export interface FailureQuery {
  connection?: string;
  limit?: number;
  offset?: number;
}

/**
 * Sync runs as the CLI uses them, the same whether the engine runs in this process or behind
 * a pm server. Run and item ids may be given in full or as the short tail pm prints.
 */
export interface SyncService {
  request(request: RunRequest): Promise<{ run: SyncRun; created: boolean }>;
  /** Carries the run to its end (here: runs it; through a server: follows its events). */
  follow(runId: string, onEvent: RunListener): Promise<SyncRun>;
  listRuns(query?: RunQuery): Promise<{ runs: SyncRun[]; total: number }>;
  getRun(ref: string): Promise<RunDetail>;
  failures(query?: FailureQuery): Promise<{ items: (SyncRunItem & { connection: string })[]; total: number }>;
  /** A new run for one failed item, or for every open failure of a connection; undefined when there is none. */
  retry(target: { item?: string; connection?: string }): Promise<SyncRun | undefined>;
  cancel(ref: string): Promise<SyncRun>;
  metrics(): Promise<SyncMetrics>;
}

/** The id a full or short run/item id names. */
export async function resolveSyncId(repo: SyncRepository, table: 'sync_runs' | 'sync_run_items', ref: string): Promise<string> {
  const what = table === 'sync_runs' ? 'sync run' : 'sync item';
  if (isUuid(ref)) return ref;
  if (ref.length < 4) throw new NotFoundError(what, ref);
  const ids = await repo.idsEndingWith(table, ref.toLowerCase(), 11);
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new NotFoundError(what, ref);
  throw new AmbiguousRefError(what, ref, ids.slice(0, 10));
}

/** The engine in this process. */
export class LocalSyncService implements SyncService {
  constructor(
    private readonly engine: SyncEngine,
    private readonly repo: SyncRepository,
    private readonly requester: Requester,
  ) {}

  request(request: RunRequest) {
    return this.engine.request(request, this.requester);
  }

  async follow(runId: string, onEvent: RunListener): Promise<SyncRun> {
    const stop = this.engine.events.on(runId, onEvent);
    try {
      return await this.engine.execute(runId, this.requester);
    } finally {
      stop();
    }
  }

  listRuns(query?: RunQuery) {
    return this.engine.listRuns(query);
  }

  async getRun(ref: string) {
    return this.engine.getRun(await resolveSyncId(this.repo, 'sync_runs', ref));
  }

  failures(query?: FailureQuery) {
    return this.engine.failures(query);
  }

  async retry(target: { item?: string; connection?: string }) {
    const itemId = target.item === undefined ? undefined : await resolveSyncId(this.repo, 'sync_run_items', target.item);
    return this.engine.retry(
      { ...(itemId ? { itemId } : {}), ...(target.connection ? { connection: target.connection } : {}) },
      this.requester,
    );
  }

  async cancel(ref: string) {
    return this.engine.cancel(await resolveSyncId(this.repo, 'sync_runs', ref), this.requester);
  }

  metrics() {
    return this.engine.metrics();
  }
}
