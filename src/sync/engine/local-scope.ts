import type { AnyRecord, Comment, Dependency, Sprint, TimeEntry, WorkItem } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { SyncedType } from '../connectors/index.js';

const CHUNK = 500;
const TYPES = ['sprints', 'work_items', 'dependencies', 'comments', 'time_entries'] as const;

/** Records whose projection names a record of another type: what must be read with them. */
const REFERENCE_FIELDS: Record<SyncedType, readonly (readonly [string, SyncedType])[]> = {
  sprints: [],
  work_items: [
    ['parent_id', 'work_items'],
    ['sprint_id', 'sprints'],
  ],
  dependencies: [
    ['blocking_item_id', 'work_items'],
    ['blocked_item_id', 'work_items'],
  ],
  comments: [['work_item_id', 'work_items']],
  time_entries: [['work_item_id', 'work_items']],
};

/** Where a record of each type is found by the record it hangs on (a change there changes it too). */
const DEPENDENTS: Record<'sprints' | 'work_items', readonly (readonly [SyncedType, string])[]> = {
  sprints: [['work_items', 'sprint_id']],
  work_items: [
    ['work_items', 'parent_id'],
    ['comments', 'work_item_id'],
    ['time_entries', 'work_item_id'],
    ['dependencies', 'blocking_item_id'],
    ['dependencies', 'blocked_item_id'],
  ],
};

/**
 * The local side of a connection: one pm project's records of every synced type, tombstones
 * included (they carry deletions), kept current as the run writes. A complete scope reads the
 * whole project once; a partial one (incremental runs) reads only the records the run looks at,
 * and a look-up of one it was not asked to read is a bug that fails the run loudly.
 */
export class LocalScope {
  private readonly records = new Map<SyncedType, Map<string, AnyRecord>>();
  /** Partial scopes: ids read so far, found in the project or not. */
  private readonly read: Map<SyncedType, Set<string>> | undefined;

  private constructor(
    private readonly store: Store,
    readonly projectId: string,
    complete: boolean,
  ) {
    for (const type of TYPES) this.records.set(type, new Map());
    this.read = complete ? undefined : new Map(TYPES.map((t) => [t, new Set<string>()]));
  }

  get complete(): boolean {
    return this.read === undefined;
  }

  static async load(store: Store, projectId: string): Promise<LocalScope> {
    const scope = new LocalScope(store, projectId, true);
    return store.read(async (tx) => {
      const sprints = await tx.list('sprints', { where: { project_id: projectId }, includeDeleted: true });
      const items = await tx.list('work_items', { where: { project_id: projectId }, includeDeleted: true });
      sprints.forEach((s) => scope.put('sprints', s));
      items.forEach((i) => scope.put('work_items', i));
      const ids = items.map((i) => i.id);
      for (let at = 0; at < ids.length; at += CHUNK) {
        const chunk = ids.slice(at, at + CHUNK);
        const [comments, entries, blocking] = await Promise.all([
          tx.list('comments', { where: { work_item_id: chunk }, includeDeleted: true }),
          tx.list('time_entries', { where: { work_item_id: chunk }, includeDeleted: true }),
          tx.list('dependencies', { where: { blocking_item_id: chunk }, includeDeleted: true }),
        ]);
        comments.forEach((c) => scope.put('comments', c));
        entries.forEach((t) => scope.put('time_entries', t));
        // A dependency is the project's when both ends are; one that leaves the project is not synced.
        blocking.filter((d) => scope.has('work_items', d.blocked_item_id)).forEach((d) => scope.put('dependencies', d));
      }
      return scope;
    });
  }

  /** A scope that reads records only when asked to (`fetch`, `fetchChangedSince`). */
  static partial(store: Store, projectId: string): LocalScope {
    return new LocalScope(store, projectId, false);
  }

  /** Reads these records (and the work items they hang on) if not read yet; no-op when complete. */
  async fetch(type: SyncedType, ids: Iterable<string>): Promise<void> {
    if (!this.read) return;
    const wanted = [...new Set(ids)].filter((id) => !this.read!.get(type)!.has(id));
    if (wanted.length === 0) return;
    const found = await this.store.read((tx) => tx.getMany(type, wanted) as Promise<Map<string, AnyRecord>>);
    // Whether a comment, a time entry or a dependency is the project's depends on its items.
    if (type !== 'work_items' && type !== 'sprints')
      await this.fetch(
        'work_items',
        [...found.values()].flatMap((r) => referencesOf(type, r).map(([, id]) => id)),
      );
    for (const id of wanted) {
      this.read.get(type)!.add(id);
      const record = found.get(id);
      if (record && this.belongs(type, record)) this.records.get(type)!.set(id, record);
    }
  }

  /** Reads what these records name (parents up to the top, sprints, items), so projections resolve. */
  async fetchReferences(type: SyncedType, ids: Iterable<string>): Promise<void> {
    if (!this.read) return;
    let todo = new Map<SyncedType, Set<string>>([[type, new Set(ids)]]);
    while (todo.size > 0) {
      const next = new Map<SyncedType, Set<string>>();
      for (const [t, set] of todo) {
        await this.fetch(t, set);
        for (const id of set) {
          const record = this.records.get(t)!.get(id);
          for (const [target, ref] of record ? referencesOf(t, record) : []) {
            if (this.read.get(target)!.has(ref)) continue;
            if (!next.has(target)) next.set(target, new Set());
            next.get(target)!.add(ref);
          }
        }
      }
      todo = next;
    }
  }

  /**
   * Reads the project's records written after the change counter `since`, and those that hang on
   * them (a deleted item takes its children's parent, its comments, time and dependencies along):
   * the records whose synced fields may differ from what was last synced. Ids by type.
   */
  async fetchChangedSince(since: number): Promise<Map<SyncedType, string[]>> {
    const changed = new Map<SyncedType, Set<string>>(TYPES.map((t) => [t, new Set<string>()]));
    await this.store.read(async (tx) => {
      for (const type of TYPES) for (const id of await tx.changedIds(type, since)) changed.get(type)!.add(id);
      // A settled conflict may leave its record as it was: the record is looked at again all the same.
      const conflicts = await tx.getMany('conflicts', await tx.changedIds('conflicts', since));
      for (const conflict of conflicts.values()) changed.get(conflict.entity_type as SyncedType)?.add(conflict.record_id);
      for (const type of ['sprints', 'work_items'] as const) {
        const ids = [...changed.get(type)!];
        for (const [dependent, field] of DEPENDENTS[type])
          for (let at = 0; at < ids.length; at += CHUNK) {
            const rows = await tx.list(dependent, { where: { [field]: ids.slice(at, at + CHUNK) }, includeDeleted: true });
            for (const row of rows) changed.get(dependent)!.add(row.id);
          }
      }
    });
    const result = new Map<SyncedType, string[]>();
    for (const type of TYPES) {
      await this.fetchReferences(type, changed.get(type)!);
      result.set(
        type,
        [...changed.get(type)!].filter((id) => this.has(type, id)),
      );
    }
    return result;
  }

  /** The project's sprints (few, looked through by name), read if they were not. */
  async sprints(): Promise<AnyRecord[]> {
    if (this.read) {
      const all = await this.store.read((tx) =>
        tx.list('sprints', { where: { project_id: this.projectId }, includeDeleted: true }),
      );
      for (const sprint of all) if (!this.read.get('sprints')!.has(sprint.id)) this.put('sprints', sprint);
    }
    return [...this.records.get('sprints')!.values()];
  }

  /** Reads the project's records of a type that hang on these work items (`field` names the item). */
  async fetchOf(type: 'comments' | 'dependencies', field: string, itemIds: Iterable<string>): Promise<AnyRecord[]> {
    const ids = [...new Set(itemIds)];
    const on = (r: AnyRecord) => (r as unknown as Record<string, unknown>)[field] as string;
    if (!this.read) return this.all(type).filter((r) => ids.includes(on(r)));
    const rows: AnyRecord[] = [];
    await this.store.read(async (tx) => {
      for (let at = 0; at < ids.length; at += CHUNK)
        rows.push(...(await tx.list(type, { where: { [field]: ids.slice(at, at + CHUNK) }, includeDeleted: true })));
    });
    await this.fetch(
      type,
      rows.map((r) => r.id),
    );
    return rows.filter((r) => this.has(type, r.id)).map((r) => this.get(type, r.id)!);
  }

  put(type: SyncedType, record: AnyRecord): void {
    this.records.get(type)!.set(record.id, record);
    this.read?.get(type)!.add(record.id);
  }

  has(type: SyncedType, id: string): boolean {
    return this.get(type, id) !== undefined;
  }

  get(type: 'sprints', id: string): Sprint | undefined;
  get(type: 'work_items', id: string): WorkItem | undefined;
  get(type: 'comments', id: string): Comment | undefined;
  get(type: 'dependencies', id: string): Dependency | undefined;
  get(type: 'time_entries', id: string): TimeEntry | undefined;
  get(type: SyncedType, id: string): AnyRecord | undefined;
  get(type: SyncedType, id: string): AnyRecord | undefined {
    if (this.read && !this.read.get(type)!.has(id)) throw new Error(`sync: ${type} ${id} was looked up without being read`);
    return this.records.get(type)!.get(id);
  }

  /** A record if this scope holds it, without the partial scope's check (for records the run already handled). */
  peek(type: SyncedType, id: string): AnyRecord | undefined {
    return this.records.get(type)!.get(id);
  }

  /** A record that is there and not deleted. */
  live(type: SyncedType, id: string): AnyRecord | undefined {
    const record = this.get(type, id);
    return record && record.deleted_at === null ? record : undefined;
  }

  /** Every record of a type: complete scopes only. */
  all(type: SyncedType): AnyRecord[] {
    if (this.read) throw new Error(`sync: all ${type} asked of a partial scope`);
    return [...this.records.get(type)!.values()];
  }

  /** Depth of a work item below its top-level ancestor (0 for no parent); loops count as top level. */
  depth(itemId: string): number {
    let depth = 0;
    const seen = new Set<string>([itemId]);
    for (let parent = this.get('work_items', itemId)?.parent_id; parent; parent = this.get('work_items', parent)?.parent_id) {
      if (seen.has(parent)) break;
      seen.add(parent);
      depth++;
    }
    return depth;
  }

  private belongs(type: SyncedType, record: AnyRecord): boolean {
    const item = (id: string) => this.records.get('work_items')!.has(id);
    switch (type) {
      case 'sprints':
      case 'work_items':
        return (record as Sprint | WorkItem).project_id === this.projectId;
      case 'comments':
      case 'time_entries':
        return item((record as Comment | TimeEntry).work_item_id);
      case 'dependencies':
        return item((record as Dependency).blocking_item_id) && item((record as Dependency).blocked_item_id);
    }
  }
}

/** The records a record names, as (type, id). */
function referencesOf(type: SyncedType, record: AnyRecord): [SyncedType, string][] {
  const fields = record as unknown as Record<string, unknown>;
  return REFERENCE_FIELDS[type].flatMap(([field, target]) => {
    const id = fields[field];
    return typeof id === 'string' ? [[target, id] as [SyncedType, string]] : [];
  });
}
