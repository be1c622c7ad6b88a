import { isUuid, parseItemKey, type AnyRecord, type RunFilters, type WorkItem } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { SyncedType } from '../connectors/index.js';

/**
 * A run's filters: records by id (local ids, item keys like `WEB-12`, remote ids as
 * `work_items:42` or bare), work items by status, records changed since a time. A run with
 * ids reads exactly those records from the remote instead of listing changes.
 */
export class RecordFilter {
  private constructor(
    private readonly localIds: ReadonlySet<string> | undefined,
    private readonly remoteIds: ReadonlySet<string> | undefined,
    private readonly statuses: ReadonlySet<string> | undefined,
    private readonly since: string | undefined,
    private readonly types: ReadonlySet<string> | undefined,
  ) {}

  static async create(store: Store, filters: RunFilters): Promise<RecordFilter> {
    let localIds: Set<string> | undefined;
    let remoteIds: Set<string> | undefined;
    if (filters.ids?.length) {
      localIds = new Set();
      remoteIds = new Set();
      for (const id of filters.ids) {
        const key = parseItemKey(id);
        const project = key ? await store.projectByKey(key.projectKey) : undefined;
        const item = key && project ? await store.itemByNumber(project.id, key.itemNumber) : undefined;
        if (item) localIds.add(item.id);
        else if (isUuid(id)) localIds.add(id);
        else remoteIds.add(id);
      }
    }
    return new RecordFilter(
      localIds,
      remoteIds,
      filters.status?.length ? new Set(filters.status) : undefined,
      filters.updated_since,
      filters.entity_types?.length ? new Set(filters.entity_types) : undefined,
    );
  }

  /** True when the run syncs only some types: every other type is left alone on both sides. */
  get typesLimited(): boolean {
    return this.types !== undefined;
  }

  /** Whether the run syncs records of this type. */
  syncs(type: SyncedType): boolean {
    return this.types === undefined || this.types.has(type);
  }

  /** True when the run names its records: no listing, no census, no cursor. */
  get targeted(): boolean {
    return this.localIds !== undefined;
  }

  /** True when the run looks at a subset: deletions by census and the cursor are left alone. */
  get partial(): boolean {
    return this.targeted || this.statuses !== undefined || this.since !== undefined || this.types !== undefined;
  }

  /** Remote ids the run names, with their type when given as `type:id`. */
  remoteTargets(): { type: SyncedType | undefined; remoteId: string }[] {
    return [...(this.remoteIds ?? [])].map((id) => {
      const at = id.lastIndexOf(':');
      return at > 0 ? { type: id.slice(0, at) as SyncedType, remoteId: id.slice(at + 1) } : { type: undefined, remoteId: id };
    });
  }

  localTargets(): string[] {
    return [...(this.localIds ?? [])];
  }

  matches(
    type: SyncedType,
    local: AnyRecord | undefined,
    remote: { remoteId: string; updatedAt: string | null } | undefined,
    status?: string,
  ): boolean {
    if (this.localIds) {
      const byLocal = local !== undefined && this.localIds.has(local.id);
      const byRemote =
        remote !== undefined && (this.remoteIds!.has(remote.remoteId) || this.remoteIds!.has(`${type}:${remote.remoteId}`));
      if (!byLocal && !byRemote) return false;
    }
    if (this.statuses && type === 'work_items') {
      const value = status ?? (local as WorkItem | undefined)?.status;
      if (value === undefined || !this.statuses.has(value)) return false;
    }
    if (this.since) {
      const localChanged = local !== undefined && local.updated_at >= this.since;
      const remoteChanged = remote !== undefined && (remote.updatedAt === null || remote.updatedAt >= this.since);
      if (!localChanged && !remoteChanged) return false;
    }
    return true;
  }
}
