import type { AnyRecord } from '../../domain/index.js';
import type { Connector, SyncedFields, SyncedType } from '../connectors/index.js';
import { resourceOf } from './resources.js';
import type { LinkIndex } from './links.js';
import type { LocalScope } from './local-scope.js';

/** Types whose references must resolve: a comment without its item is no comment. */
const REQUIRED_REFERENCES: Record<SyncedType, boolean> = {
  sprints: false,
  work_items: false,
  dependencies: true,
  comments: true,
  time_entries: true,
};

/** A reference to a record the remote does not have (yet): the record waits for it. */
export class MissingReferenceError extends Error {
  constructor(
    readonly type: SyncedType,
    readonly localId: string,
  ) {
    super(`it refers to ${type.replace(/s$/, '').replace('_', ' ')} ${localId}, which is not on the remote yet`);
  }
}

export interface TranslatedIn {
  fields: SyncedFields;
  /** Reference fields whose remote record has no local one. */
  missing: { field: string; type: SyncedType; remoteId: string }[];
}

/**
 * Moves synced fields between the two id spaces. Local side: references to records that are
 * deleted or outside the project become null (an item whose parent was deleted has no parent
 * remotely either), or make the record unsyncable where the reference is required.
 */
export class Translator {
  /** Dry runs: remote ids of records the run would create locally, and the id they stand in for. */
  readonly planned = new Map<string, string>();

  constructor(
    private readonly connector: Connector,
    private readonly links: LinkIndex,
    private readonly scope: LocalScope,
  ) {}

  /** A local record's synced fields (local ids), or null when it cannot be synced. */
  project(type: SyncedType, record: AnyRecord): SyncedFields | null {
    if (record.deleted_at !== null) return null;
    const resource = resourceOf(this.connector, type);
    const fields = resource.project(record);
    if (!fields) return null;
    for (const [field, target] of Object.entries(resource.references)) {
      const id = fields[field];
      if (typeof id !== 'string' || this.scope.live(target, id)) continue;
      if (REQUIRED_REFERENCES[type]) return null;
      fields[field] = null;
    }
    return resource.canonical(fields);
  }

  /** Remote fields with references as local ids. */
  toLocalIds(type: SyncedType, remote: SyncedFields): TranslatedIn {
    const resource = resourceOf(this.connector, type);
    const fields = { ...remote };
    const missing: TranslatedIn['missing'] = [];
    for (const [field, target] of Object.entries(resource.references)) {
      const id = fields[field];
      if (id === null || id === undefined) continue;
      const local = this.links.remote(target, String(id))?.local_id ?? this.planned.get(`${target}:${String(id)}`);
      if (local) fields[field] = local;
      else {
        missing.push({ field, type: target, remoteId: String(id) });
        fields[field] = null;
      }
    }
    return { fields: resource.canonical(fields), missing };
  }

  /** Local fields with references as remote ids; throws when a referenced record is not on the remote. */
  toRemoteIds(type: SyncedType, local: SyncedFields, dryRun = false): SyncedFields {
    const fields = { ...local };
    for (const [field, target] of Object.entries(resourceOf(this.connector, type).references)) {
      const id = fields[field];
      if (typeof id !== 'string') continue;
      const remote = this.links.local(target, id)?.remote_id;
      if (remote !== undefined) fields[field] = remote;
      else if (dryRun) fields[field] = `(new ${id})`;
      else throw new MissingReferenceError(target, id);
    }
    return fields;
  }

  isRequired(type: SyncedType): boolean {
    return REQUIRED_REFERENCES[type];
  }
}
