import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 7: the references a delete cleared on records it left alive (a sprint's delete
 * takes its items out of it, an item's leaves its children without a parent), so that restoring
 * the deleted record puts them back. Local only: it is this replica's undo, not data that syncs.
 */
export const clearedLinks: Migration = {
  version: 7,
  name: 'cleared-links',
  async up(db: Db) {
    await db.schema
      .createTable('cleared_links')
      .addColumn('deleted_id', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text', (c) => c.notNull())
      .addColumn('work_item_id', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cleared_links_pk', ['deleted_id', 'deleted_at', 'work_item_id', 'field'])
      .execute();
  },
};
