import type { LocalPatch, LocalRecord, RemoteRecord, SyncedFields, SyncedType } from './records.js';

/**
 * How one synced type maps between pm and the remote, without I/O: the synced fields of a local
 * record, the pm fields for remote ones, and which fields are references.
 */
export interface Mapping<T extends SyncedType = SyncedType> {
  /** Reference fields of the synced fields, and the type they point to. */
  readonly references: Readonly<Record<string, SyncedType>>;
  /** The pm field each synced field comes from: conflicts are recorded on it. */
  readonly localFields: Readonly<Record<string, string>>;
  /** A local record's synced fields (references as local ids); null when it is not synced at all. */
  project(record: LocalRecord<T>): SyncedFields | null;
  /** The pm fields that give a local record these synced fields (references already local). */
  toLocal(fields: SyncedFields, current: LocalRecord<T> | undefined): LocalPatch;
  /** The form two records' fields are compared in (a relation without direction in one order). */
  canonical(fields: SyncedFields): SyncedFields;
}

export interface ListScope {
  mode: 'full' | 'incremental';
  /** Incremental: this type's changes since this time (already moved back by the overlap). */
  since: string | undefined;
  /** True for a record the engine has already seen as it is now: the resource may skip its details. */
  known: (record: RemoteRecord) => boolean;
  /**
   * Remote ids of the records of a type listed earlier in this run, less those known: what a
   * resource read through its parent (a comment through its item) reads on incremental runs.
   */
  listed: (type: SyncedType) => ReadonlySet<string>;
}

export interface Listing {
  /**
   * Where this type's next incremental listing starts, saved when the run ends without errors:
   * the remote's clock when the listing began (or, failing that, the newest change it listed).
   */
  cursor: string | undefined;
  /** Full runs: every remote id of this type there is, to find what was deleted remotely. */
  census: ReadonlySet<string> | undefined;
}

/**
 * One synced type as a remote tracker keeps it: the mapping, and the calls every resource has.
 * What a remote cannot do is an optional capability (`Updatable`, `Deletable`), left out and
 * documented rather than faked.
 */
export interface ResourceCore<T extends SyncedType = SyncedType> extends Mapping<T> {
  /**
   * How the resource lists: `incremental` reads only what changed since its cursor;
   * `parents` reads through the records of another type listed in the run (`ListScope.listed`);
   * `full` reads every record every run.
   */
  readonly listing: 'incremental' | 'parents' | 'full';
  /** Streams remote records (full: every one; incremental: changed since `scope.since`). */
  list(scope: ListScope, emit: (record: RemoteRecord) => Promise<void>): Promise<Listing>;
  /**
   * The remote record, or null when the remote confirms it does not exist. `parentRemoteId` is
   * the record it belongs to, for what the remote reads only through its parent.
   */
  get(remoteId: string, parentRemoteId?: string): Promise<RemoteRecord | null>;
  /**
   * Remote records made for these pm ids (by pm id where the remote keeps it, else by content):
   * a create that already happened is not made twice. `since` bounds the search to records
   * created from then on.
   */
  find(pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>, since?: string): Promise<Map<string, RemoteRecord>>;
  create(fields: SyncedFields, pmId: string): Promise<RemoteRecord>;
}

/** A resource whose records can be changed in place. */
export interface Updatable {
  /**
   * Writes `fields` over what the remote held as `before` (the fields last seen). A remote that
   * locks optimistically refuses, rather than overwrites, a field someone else changed since.
   */
  update(remoteId: string, fields: SyncedFields, before: SyncedFields | undefined): Promise<RemoteRecord>;
}

/** A resource whose records can be deleted; a record already gone counts as deleted. */
export interface Deletable {
  delete(remoteId: string): Promise<void>;
}

export type Resource<T extends SyncedType = SyncedType> = ResourceCore<T> & Partial<Updatable> & Partial<Deletable>;

/** The resources a connector syncs; a type it leaves out is not synced with that remote. */
export type Resources = { readonly [T in SyncedType]?: Resource<T> };

/**
 * A remote tracker. The engine decides what to create, update or delete, retries, rate-limits
 * and records; the connector speaks the tracker's API and maps fields both ways, one resource
 * per synced type.
 */
export interface Connector {
  readonly kind: string;
  readonly resources: Resources;
  /** Checks credentials and the project; says who the connector acts as, and what is missing. */
  check(): Promise<{ account: string; notes: string[] }>;
  /** Reads what the connector needs before a run (ids of types, statuses, fields …). */
  prepare(): Promise<void>;
}

export function canUpdate(resource: Resource): resource is Resource & Updatable {
  return typeof resource.update === 'function';
}

export function canDelete(resource: Resource): resource is Resource & Deletable {
  return typeof resource.delete === 'function';
}
