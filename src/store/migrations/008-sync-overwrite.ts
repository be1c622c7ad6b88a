import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 8: overwrite runs (seed 004). `overwrite_mode` says a run made the remote equal
 * to pm; `deletion_count` is how many remote records it deleted, written chunk by chunk so a run
 * killed midway still says what it deleted. Existing runs were no overwrite runs and deleted none.
 */
export const syncOverwrite: Migration = {
  version: 8,
  name: 'sync-overwrite',
  async up(db: Db) {
    await db.schema
      .alterTable('sync_runs')
      .addColumn('overwrite_mode', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('sync_runs')
      .addColumn('deletion_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
