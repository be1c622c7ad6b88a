import * as z from 'zod/mini';
import { RateLimitedError, RemoteError } from '../../src/domain/index.js';
import {
  commentMapping,
  defineConnector,
  dependencyMapping,
  sprintMapping,
  timeEntryMapping,
  trackerVocabulary,
  workItemMapping,
  type Connector,
  type ConnectorSettings,
  type Listing,
  type ListScope,
  type Mapping,
  type RemoteRecord,
  type Resource,
  type Resources,
  type SyncedFields,
  type SyncedType,
} from '../../src/sync/connectors/index.js';

/**
 * A remote tracker in memory, and a connector for it built on the SDK like any other: the
 * engine's tests run against it in process, without waiting on a real server. Its clock stamps
 * whole seconds, as real trackers do; a comment bumps its item's stamp; work items and time
 * entries keep the pm id; comments and dependencies do not (they are found by content).
 */
export interface StoredRecord {
  id: string;
  fields: SyncedFields;
  pmId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type Call = 'list' | 'get' | 'find' | 'create' | 'update' | 'delete';

/** A failure the tracker answers the next matching call with, before or after doing it. */
export interface MemoryFault {
  call: Call;
  type?: SyncedType;
  error: () => Error;
  /** The call happens, and then the caller hears the failure (a 500 after the write). */
  after?: boolean;
  times?: number;
}

export class MemoryTracker {
  readonly records = new Map<SyncedType, Map<string, StoredRecord>>();
  /** Every call the connector made, in order. */
  readonly calls: { call: Call; type: SyncedType }[] = [];
  private readonly faults: (MemoryFault & { left: number })[] = [];
  private nextId = 1;
  /** How many times a connector prepared itself (a real tracker's look-ups). */
  prepares = 0;
  /** Called before every call (e.g. to cancel a run at the n-th create). */
  onCall: ((call: Call, type: SyncedType) => void) | undefined;

  constructor(readonly clock: () => number = Date.now) {
    for (const type of ['sprints', 'work_items', 'dependencies', 'comments', 'time_entries'] as const)
      this.records.set(type, new Map());
  }

  /** Now, in whole seconds. */
  stamp(): string {
    return `${new Date(this.clock()).toISOString().slice(0, 19)}Z`;
  }

  inject(fault: MemoryFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  all(type: SyncedType): StoredRecord[] {
    return [...this.records.get(type)!.values()];
  }

  /** Someone else writes a record (or changes one), as the tracker's own users do. */
  put(type: SyncedType, fields: SyncedFields, options: { id?: string; pmId?: string | null } = {}): StoredRecord {
    const table = this.records.get(type)!;
    const existing = options.id ? table.get(options.id) : undefined;
    const now = this.stamp();
    const record: StoredRecord = existing
      ? { ...existing, fields: { ...existing.fields, ...fields }, updatedAt: now }
      : { id: options.id ?? String(this.nextId++), fields, pmId: options.pmId ?? null, createdAt: now, updatedAt: now };
    table.set(record.id, record);
    if (type === 'comments') this.touch(String(record.fields.work_item_id));
    return record;
  }

  remove(type: SyncedType, id: string): boolean {
    const removed = this.records.get(type)!.delete(id);
    if (type === 'work_items') {
      // Children, comments, time and links of an item go with it, as on most trackers.
      for (const [t, field] of [
        ['comments', 'work_item_id'],
        ['time_entries', 'work_item_id'],
        ['dependencies', 'blocking'],
        ['dependencies', 'blocked'],
      ] as const)
        for (const r of this.all(t)) if (r.fields[field] === id) this.records.get(t)!.delete(r.id);
      for (const child of this.all('work_items')) if (child.fields.parent_id === id) this.remove('work_items', child.id);
    }
    return removed;
  }

  private touch(itemId: string): void {
    const item = this.records.get('work_items')!.get(itemId);
    if (item) item.updatedAt = this.stamp();
  }

  /** Runs one call of the connector, with whatever fault is set for it. */
  async call<T>(call: Call, type: SyncedType, work: () => T | Promise<T>): Promise<T> {
    this.calls.push({ call, type });
    this.onCall?.(call, type);
    await Promise.resolve();
    const fault = this.faults.find((f) => f.left > 0 && f.call === call && (f.type === undefined || f.type === type));
    if (fault) fault.left--;
    if (fault && !fault.after) throw fault.error();
    const value = await work();
    if (fault) throw fault.error();
    return value;
  }
}

/** Errors as an HTTP connector would raise them. */
export const memoryErrors = {
  serverError: () => new RemoteError('memory tracker: 500', { status: 500, retryable: true }),
  timeout: () => new RemoteError('memory tracker: no answer within 15000 ms', { retryable: true }),
  rateLimited: (ms = 1) => new RateLimitedError('memory tracker: rate limited (429)', ms),
  refused: () => new RemoteError('memory tracker: 422: refused', { status: 422 }),
};

const VOCABULARY = {
  types: { epic: 'Epic', story: 'Story', task: 'Task' },
  statuses: { backlog: 'New', todo: 'New', in_progress: 'Active', review: 'Review', done: 'Done' },
  priorities: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
};

function resource<T extends SyncedType>(
  tracker: MemoryTracker,
  type: T,
  mapping: Mapping<T>,
  options: { listing: Resource['listing']; keepsPmId: boolean; parent?: string },
  beforeRequest: (() => Promise<void>) | undefined,
): Resource<T> {
  // Each call is a request: it waits for the engine's rate limiter first, as an HTTP client does.
  const call: MemoryTracker['call'] = beforeRequest
    ? (c, t, work) => beforeRequest().then(() => tracker.call(c, t, work))
    : (c, t, work) => tracker.call(c, t, work);
  const record = (r: StoredRecord): RemoteRecord => ({
    type,
    remoteId: r.id,
    url: `memory://${type}/${r.id}`,
    updatedAt: r.updatedAt,
    fields: { ...r.fields },
    pmId: r.pmId,
    ...(options.parent ? { parentRemoteId: String(r.fields[options.parent]) } : {}),
  });
  const same = (a: SyncedFields, b: SyncedFields) =>
    JSON.stringify(mapping.canonical(a)) === JSON.stringify(mapping.canonical(b));
  return {
    ...mapping,
    listing: options.listing,
    list: (scope: ListScope, emit) =>
      call('list', type, async (): Promise<Listing> => {
        const full = scope.mode === 'full';
        const cursor = tracker.stamp();
        let rows = tracker.all(type);
        if (options.listing === 'incremental' && !full) rows = rows.filter((r) => r.updatedAt >= `${scope.since!.slice(0, 19)}Z`);
        if (options.listing === 'parents' && !full) {
          const parents = scope.listed('work_items');
          rows = rows.filter((r) => parents.has(String(r.fields[options.parent!])));
        }
        const census = new Set(tracker.all(type).map((r) => r.id));
        for (const r of rows) {
          const remote = record(r);
          if (!full && scope.known(remote)) continue;
          await emit(remote);
        }
        return { cursor: options.listing === 'incremental' ? cursor : undefined, census: full ? census : undefined };
      }),
    get: (remoteId) =>
      call('get', type, () => {
        const r = tracker.records.get(type)!.get(remoteId);
        return r ? record(r) : null;
      }),
    find: (pmIds, fields) =>
      call('find', type, () => {
        const found = new Map<string, RemoteRecord>();
        for (const pmId of pmIds) {
          const match = tracker
            .all(type)
            .find((r) => (options.keepsPmId ? r.pmId === pmId : same(r.fields, fields.get(pmId) ?? {})));
          if (match) found.set(pmId, record(match));
        }
        return found;
      }),
    create: (fields, pmId) =>
      call('create', type, () => record(tracker.put(type, { ...fields }, { pmId: options.keepsPmId ? pmId : null }))),
    update: (remoteId, fields) =>
      call('update', type, () => {
        if (!tracker.records.get(type)!.has(remoteId))
          throw new RemoteError(`${type} ${remoteId} no longer exists`, { status: 404 });
        return record(tracker.put(type, fields, { id: remoteId }));
      }),
    delete: (remoteId) => call('delete', type, () => void tracker.remove(type, remoteId)),
  };
}

class MemoryConnector implements Connector {
  readonly kind = 'memory';
  readonly resources: Resources;

  constructor(
    private readonly tracker: MemoryTracker,
    settings: ConnectorSettings<{ sync?: string; undeletable?: string }>,
  ) {
    // Rate-limited only when the connection sets a limit: other tests' calls keep their timing.
    const limited = settings.ratePerSecond > 0 ? settings.beforeRequest : undefined;
    const vocabulary = trackerVocabulary({
      ...VOCABULARY,
      ...settings,
      open: 'New',
      closed: 'Done',
      isClosed: (s) => s === 'Done',
    });
    const all: Resources = {
      sprints: resource(
        tracker,
        'sprints',
        sprintMapping({ goal: true, start: true, open: true }),
        { listing: 'full', keepsPmId: true },
        limited,
      ),
      work_items: resource(
        tracker,
        'work_items',
        workItemMapping(vocabulary),
        { listing: 'incremental', keepsPmId: true },
        limited,
      ),
      dependencies: resource(tracker, 'dependencies', dependencyMapping, { listing: 'full', keepsPmId: false }, limited),
      comments: resource(
        tracker,
        'comments',
        commentMapping,
        { listing: 'parents', keepsPmId: false, parent: 'work_item_id' },
        limited,
      ),
      time_entries: resource(tracker, 'time_entries', timeEntryMapping, { listing: 'incremental', keepsPmId: true }, limited),
    };
    // `sync` names the types this connection syncs (a tracker without time entries, say);
    // `undeletable` the types it cannot delete (a tracker whose API has no delete for them).
    const wanted = settings.options.sync?.split(',');
    const undeletable = settings.options.undeletable?.split(',') ?? [];
    this.resources = Object.fromEntries(
      Object.entries(all)
        .filter(([type]) => !wanted || wanted.includes(type))
        .map(([type, r]) => [type, undeletable.includes(type) ? { ...r, delete: undefined } : r]),
    );
  }

  check() {
    return Promise.resolve({ account: 'memory', notes: [] });
  }

  prepare() {
    this.tracker.prepares++;
    return Promise.resolve();
  }
}

/** A connector kind for one tracker in memory: pass it to the engine as its only definition. */
export function memoryDefinition(tracker: MemoryTracker) {
  return defineConnector({
    kind: 'memory',
    title: 'Memory',
    projectHelp: 'any name',
    secretName: 'key',
    docs: 'test/helpers/memory-tracker.ts',
    settings: z.object({ sync: z.optional(z.string()), undeletable: z.optional(z.string()) }),
    flags: {
      sync: { value: '<types>', help: 'the types synced (default: all)' },
      undeletable: { value: '<types>', help: 'the types it cannot delete' },
    },
    defaults: { workers: 2, ratePerSecond: 0 },
    create: (settings) => Promise.resolve(new MemoryConnector(tracker, settings)),
  });
}
