import type { AnyRecord, EntityRecords } from '../../../domain/index.js';

/** What connectors can sync, in the order creates go out (a record's references come first). */
export const SYNCED_TYPES = ['sprints', 'work_items', 'dependencies', 'comments', 'time_entries'] as const;
export type SyncedType = (typeof SYNCED_TYPES)[number];

/** The pm record behind each synced type. */
export type LocalRecord<T extends SyncedType = SyncedType> = EntityRecords[T];

export type SyncedValue = string | number | boolean | null;

/**
 * The fields a connector syncs for one record, in the connector's terms (e.g. a remote status
 * name). Reference fields hold ids: local ids on the pm side, remote ids on the remote side; the
 * engine translates them through the links.
 */
export type SyncedFields = Record<string, SyncedValue>;

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
  /** The remote id of the record this one belongs to (a comment's item), for remotes that read it only through that. */
  parentRemoteId?: string;
}

/** A local record's pm fields to change, given the remote's synced fields (local references). */
export type LocalPatch = Partial<AnyRecord> & Record<string, unknown>;
