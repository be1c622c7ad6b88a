import type { AnyRecord } from '../../../domain/index.js';
import type { RetryPolicy } from './retry.js';

/** What connectors sync, in the order creates go out (a record's references come first). */
export const SYNCED_TYPES = ['sprints', 'work_items', 'dependencies', 'comments', 'time_entries'] as const;
export type SyncedType = (typeof SYNCED_TYPES)[number];

/**
 * The fields a connector syncs for one record, in the connector's terms (e.g. a Redmine
 * status name). Reference fields hold ids: local ids on the pm side, remote ids on the remote
 * side; the engine translates them through the links.
 */
export type SyncedFields = Record<string, string | number | boolean | null>;

/** A record as the remote tracker has it. */
export interface RemoteRecord {
  type: SyncedType;
  remoteId: string;
  url: string | null;
  /** When the remote last changed it (ISO), if it says. */
  updatedAt: string | null;
  fields: SyncedFields;
  /** The pm id the remote keeps on the record, if it keeps one. */
  pmId: string | null;
  /** The remote id of the record this one belongs to (a journal's issue), when it has one. */
  parentRemoteId?: string;
}

export interface PullScope {
  mode: 'full' | 'incremental';
  /** Incremental: the remote's changes since this time (already moved back by the overlap). */
  since: string | undefined;
  /** True for a record the engine has already seen as it is now: the connector may skip its details. */
  known?: (record: RemoteRecord) => boolean;
}

export interface PullOutcome {
  /**
   * Where the next incremental pull starts, saved when the run ends without errors: the
   * remote's clock when this listing began (or, failing that, the newest change it listed).
   */
  cursor: string | undefined;
  /** Full runs: every remote id there is, per type, to find what was deleted remotely. */
  census: Partial<Record<SyncedType, Set<string>>> | undefined;
}

/** A local record's pm fields to change, given the remote's synced fields (local references). */
export type LocalPatch = Partial<AnyRecord> & Record<string, unknown>;

/**
 * A remote tracker. Capabilities the engine needs and nothing more: the engine decides what
 * to create, update or delete, retries, rate-limits and records; the connector speaks the
 * tracker's API and maps fields both ways.
 */
export interface Connector {
  readonly kind: string;
  /** Reference fields of each type's synced fields, and the type they point to. */
  readonly references: Readonly<Record<SyncedType, Readonly<Record<string, SyncedType>>>>;
  /** The pm field each synced field comes from: conflicts are recorded on it. */
  readonly localFields: Readonly<Record<SyncedType, Readonly<Record<string, string>>>>;

  /** Checks credentials and the project; says who the connector acts as. */
  check(): Promise<{ account: string; notes: string[] }>;
  /** Reads what the connector needs before a run (ids of trackers, statuses, fields …). */
  prepare(): Promise<void>;

  /** Streams remote records in reference order (what a record refers to comes first). */
  pull(scope: PullScope, onRecord: (record: RemoteRecord) => Promise<void>): Promise<PullOutcome>;
  /**
   * The remote record, or null when the remote says it does not exist (a 404). `parentRemoteId`
   * is the record it belongs to, for what the remote reads only through its parent.
   */
  get(type: SyncedType, remoteId: string, parentRemoteId?: string): Promise<RemoteRecord | null>;
  /**
   * Remote records made for these pm ids (by pm id where the remote keeps it, else by content):
   * a create that already happened is not made twice. `since` bounds the search to records
   * created from then on.
   */
  findExisting(
    type: SyncedType,
    pmIds: readonly string[],
    fields: ReadonlyMap<string, SyncedFields>,
    since?: string,
  ): Promise<Map<string, RemoteRecord>>;
  create(type: SyncedType, fields: SyncedFields, pmId: string): Promise<RemoteRecord>;
  update(type: SyncedType, remoteId: string, fields: SyncedFields, before: SyncedFields | undefined): Promise<RemoteRecord>;
  /** Deletes; a record already gone counts as deleted. */
  delete(type: SyncedType, remoteId: string): Promise<void>;

  /** A local record's synced fields (references as local ids); null when it is not synced at all. */
  project(type: SyncedType, record: AnyRecord): SyncedFields | null;
  /** The pm fields that give a local record these synced fields (references already local). */
  toLocal(type: SyncedType, fields: SyncedFields, current: AnyRecord | undefined): LocalPatch;
  /** The form two records' fields are compared in (a relation without direction in one order). */
  canonical(type: SyncedType, fields: SyncedFields): SyncedFields;
}

export interface ConnectorSettings {
  name: string;
  kind: string;
  url: string;
  /** The remote project (Redmine: its identifier). */
  project: string;
  apiKey: string;
  mapType?: Record<string, string>;
  mapStatus?: Record<string, string>;
  /** Redmine: the time entry activity for pushed time. */
  activity?: string;
  timeoutMs?: number;
  /** Called before every request: the engine's rate limiter. */
  beforeRequest?: () => Promise<void>;
  /** How reads are retried. */
  retry?: RetryPolicy;
  /** pm's statuses of the synced project, in board order: what remote statuses map back to. */
  localStatuses: readonly string[];
}
