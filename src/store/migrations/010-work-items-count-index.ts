import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 10: an index for the count beside every work item list. `work_items_list` answered
 * it index-only but holds each row's id and number too, so counting a project read twice the
 * pages; this one holds only what a list filters on first (a project's live items, by status),
 * and its `deleted_at is null` rows are one range.
 */
export const workItemsCountIndex: Migration = {
  version: 10,
  name: 'work-items-count-index',
  async up(db: Db) {
    await db.schema.createIndex('work_items_count').on('work_items').columns(['project_id', 'deleted_at', 'status']).execute();
  },
};
