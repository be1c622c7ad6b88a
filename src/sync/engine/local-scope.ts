import type { AnyRecord, Comment, Dependency, Sprint, TimeEntry, WorkItem } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { SyncedType } from '../connectors/index.js';

const CHUNK = 500;

/**
 * The local side of a connection: one pm project's records of every synced type, tombstones
 * included (they carry deletions), read once per run and kept current as the run writes.
 */
export class LocalScope {
  private readonly records = new Map<SyncedType, Map<string, AnyRecord>>();

  private constructor(readonly projectId: string) {
    for (const type of ['sprints', 'work_items', 'dependencies', 'comments', 'time_entries'] as const)
      this.records.set(type, new Map());
  }

  static async load(store: Store, projectId: string): Promise<LocalScope> {
    const scope = new LocalScope(projectId);
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

  put(type: SyncedType, record: AnyRecord): void {
    this.records.get(type)!.set(record.id, record);
  }

  has(type: SyncedType, id: string): boolean {
    return this.records.get(type)!.has(id);
  }

  get(type: 'sprints', id: string): Sprint | undefined;
  get(type: 'work_items', id: string): WorkItem | undefined;
  get(type: 'comments', id: string): Comment | undefined;
  get(type: 'dependencies', id: string): Dependency | undefined;
  get(type: 'time_entries', id: string): TimeEntry | undefined;
  get(type: SyncedType, id: string): AnyRecord | undefined;
  get(type: SyncedType, id: string): AnyRecord | undefined {
    return this.records.get(type)!.get(id);
  }

  /** A record that is there and not deleted. */
  live(type: SyncedType, id: string): AnyRecord | undefined {
    const record = this.get(type, id);
    return record && record.deleted_at === null ? record : undefined;
  }

  all(type: SyncedType): AnyRecord[] {
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
}
