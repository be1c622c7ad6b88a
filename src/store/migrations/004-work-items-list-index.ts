import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 4: one index that answers work item lists, replacing `work_items_number`
 * (project_id, item_number), which it extends. Lists page in (project_id, item_number, id)
 * order and filter on status and deleted_at; with those five columns in the index:
 *
 * - the page is read in index order and stops after offset + limit rows, with no sort for
 *   the `id` tie-break (SQLite sorted each number's group in a temp b-tree, PostgreSQL ran an
 *   incremental sort), and rows the filters drop are never read from the table (SQLite; on
 *   PostgreSQL `deleted_at is null` becomes an index condition);
 * - the count beside it is an index-only scan on both dialects.
 *
 * Everything that used the old index (get by display key, numbering, collisions) uses the
 * new one by its first two columns, so the table keeps one index on item numbers.
 */
export const workItemsListIndex: Migration = {
  version: 4,
  name: 'work-items-list-index',
  async up(db: Db) {
    await db.schema.dropIndex('work_items_number').execute();
    await db.schema
      .createIndex('work_items_list')
      .on('work_items')
      .columns(['project_id', 'item_number', 'id', 'status', 'deleted_at'])
      .execute();
  },
};
