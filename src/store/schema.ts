import type { EntityRow } from './rows.js';

/** Kysely's view of the database. */
export interface Database {
  projects: EntityRow<'projects'>;
  sprints: EntityRow<'sprints'>;
  swim_lanes: EntityRow<'swim_lanes'>;
  work_items: EntityRow<'work_items'>;
  comments: EntityRow<'comments'>;
  dependencies: EntityRow<'dependencies'>;
  time_entries: EntityRow<'time_entries'>;
  conflicts: EntityRow<'conflicts'>;
  key_aliases: KeyAliasTable;
  cleared_links: ClearedLinkTable;
  pm_meta: MetaTable;
  pm_schema: SchemaTable;
}

/** A display key this replica once knew an item under, before a merge renumbered it. */
export interface KeyAliasTable {
  project_id: string;
  item_number: number;
  work_item_id: string;
  created_at: string;
}

/** A reference a delete cleared on a live item: undone when the deleted record is restored. */
export interface ClearedLinkTable {
  deleted_id: string;
  deleted_at: string;
  work_item_id: string;
  field: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface SchemaTable {
  version: number;
  name: string;
  applied_at: string;
}
