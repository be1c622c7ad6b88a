import { AmbiguousRefError, NotFoundError, isUuid, type SyncRun, type SyncRunItem } from '../../domain/index.js';
import type { FailureQuery as StoreFailureQuery, RunQuery, SyncRepository } from '../../store/index.js';
import type { EngineRetryTarget, RunDetail, RunRequest, SyncEngine, SyncMetrics } from './engine.js';
import type { RunListener } from './events.js';
import type { Requester } from './history.js';

export type FailureQuery = Omit<StoreFailureQuery, 'ids'>;

/** What to retry: one failure (`item`), these failures (`items`), or every open failure of a connection (of one type). */
export interface RetryTarget {
  item?: string;
  items?: readonly string[];
  connection?: string;
  entity?: string;
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
  /** A new run for the failures named, or every open failure of a connection; undefined when there is none. */
  retry(target: RetryTarget): Promise<SyncRun | undefined>;
  cancel(ref: string): Promise<SyncRun>;
  /** Marks a push failure not to sync: later runs leave its record alone. */
  markNotSynced(ref: string): Promise<SyncRunItem>;
  /** Undoes markNotSynced: the record syncs again (its item is an open failure until a run settles it). */
  markSynced(ref: string): Promise<SyncRunItem>;
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

/** A retry target with its failures' full ids, as the engine takes it. */
export async function resolveRetryTarget(repo: SyncRepository, target: RetryTarget): Promise<EngineRetryTarget> {
  const { item, items, ...rest } = target;
  return {
    ...rest,
    ...(item === undefined ? {} : { itemId: await resolveSyncId(repo, 'sync_run_items', item) }),
    ...(items === undefined ? {} : { itemIds: await Promise.all(items.map((i) => resolveSyncId(repo, 'sync_run_items', i))) }),
  };
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

  async retry(target: RetryTarget) {
    return this.engine.retry(await resolveRetryTarget(this.repo, target), this.requester);
  }

  async cancel(ref: string) {
    return this.engine.cancel(await resolveSyncId(this.repo, 'sync_runs', ref), this.requester);
  }

  async markNotSynced(ref: string) {
    return this.engine.markNotSynced(await resolveSyncId(this.repo, 'sync_run_items', ref), this.requester);
  }

  async markSynced(ref: string) {
    return this.engine.markSynced(await resolveSyncId(this.repo, 'sync_run_items', ref), this.requester);
  }

  metrics() {
    return this.engine.metrics();
  }
}
