import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 6: the batches a run is split into when several processes share it (scale-out
 * on PostgreSQL). A batch row is the job and its lease at once: `attempt` counts claims and is
 * the fence a claim's writes are checked against, `lease_until` (ms since the epoch, on the
 * database's clock) says when a silent holder is taken for dead.
 */
export const syncBatches: Migration = {
  version: 6,
  name: 'sync-batches',
  async up(db: Db) {
    await db.schema
      .createTable('sync_batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('sync_runs.id'))
      .addColumn('wave', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('ids', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('sync_batches_run').on('sync_batches').columns(['run_id', 'wave', 'status']).execute();
    await db.schema.createIndex('sync_batches_status').on('sync_batches').columns(['status']).execute();
  },
};
