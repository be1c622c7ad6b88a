import { ENTITY_TYPES, type EntityType, type SyncRun } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** What changed in the store since the previous event: ids per entity type, up to change counter `seq`. */
export interface StoreChanges {
  seq: number;
  changes: Partial<Record<EntityType, string[]>>;
  /** More ids changed than an event carries (an import): reload everything. */
  truncated: boolean;
}

/** Sync runs as they stand: the active ones and the newest, so a dashboard knows when to look again. */
export interface SyncActivity {
  active: Pick<SyncRun, 'id' | 'connection' | 'status'>[];
  latest: Pick<SyncRun, 'id' | 'connection' | 'status' | 'finished_at'> | null;
}

export type FeedEvent = { type: 'changes'; data: StoreChanges } | { type: 'sync'; data: SyncActivity };
export type FeedListener = (event: FeedEvent) => void;

/** Ids an event carries at most; past that it says `truncated`. */
const MAX_IDS = 1000;

/**
 * Store writes as events, for clients that show live data (the web UI). It polls the store's
 * change counter, which every write moves whichever process makes it (the server, `pm` on the
 * same database, an import), so a CLI edit shows up like one made through the API. It polls
 * only while someone listens: one cheap query per tick, a few more when something changed.
 */
export class ChangeFeed {
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | undefined;
  private seq: number | undefined;
  private syncSignature: string | undefined;
  private ticking = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs = 300,
    private readonly log: (error: unknown) => void = () => undefined,
  ) {}

  /** The change counter now: what a new subscriber is up to date with. */
  current(): Promise<number> {
    return this.store.changeSeq();
  }

  /** Starts polling with the first listener, stops with the last. */
  async subscribe(listener: FeedListener): Promise<() => void> {
    if (this.listeners.size === 0) {
      this.seq = await this.store.changeSeq();
      this.syncSignature = JSON.stringify(await syncActivity(this.store));
      this.timer = setInterval(() => void this.tick(), this.pollMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Changes after `seq` up to now (a client coming back with Last-Event-ID). */
  async since(seq: number): Promise<StoreChanges | undefined> {
    return this.store.read(async (tx) => {
      const now = await tx.changeSeq();
      return now > seq ? changesBetween(tx, seq, now) : undefined;
    });
  }

  /** Every listener is dropped (the server is closing). */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const last = this.seq ?? 0;
      const changes = await this.store.read(async (tx) => {
        const now = await tx.changeSeq();
        return now > last ? changesBetween(tx, last, now) : undefined;
      });
      if (changes) {
        this.seq = changes.seq;
        this.emit({ type: 'changes', data: changes });
      }
      const activity = await syncActivity(this.store);
      const signature = JSON.stringify(activity);
      if (signature !== this.syncSignature) this.emit({ type: 'sync', data: activity });
      this.syncSignature = signature;
    } catch (error) {
      this.log(error);
    } finally {
      this.ticking = false;
    }
  }

  private emit(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

async function changesBetween(tx: Store, after: number, upTo: number): Promise<StoreChanges> {
  const changes: StoreChanges['changes'] = {};
  let count = 0;
  for (const type of ENTITY_TYPES) {
    const ids = await tx.changedIds(type, after);
    if (ids.length === 0) continue;
    count += ids.length;
    changes[type] = ids.slice(0, MAX_IDS);
  }
  return { seq: upTo, changes, truncated: count > MAX_IDS };
}

export async function syncActivity(store: Store): Promise<SyncActivity> {
  const active = await store.sync.activeRuns();
  const { runs } = await store.sync.listRuns({ limit: 1 });
  const latest = runs[0];
  return {
    active: active.map((r) => ({ id: r.id, connection: r.connection, status: r.status })),
    latest: latest
      ? { id: latest.id, connection: latest.connection, status: latest.status, finished_at: latest.finished_at }
      : null,
  };
}
