import { sql } from 'kysely';
import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 3: the sync engine's state. Links pair local and remote records per
 * connection with the state both last agreed on; runs, their items and audit entries are the
 * history; cursors remember how far incremental pulls got. All local: never in snapshots.
 */
export const syncEngine: Migration = {
  version: 3,
  name: 'sync-engine',
  async up(db: Db) {
    await db.schema
      .createTable('sync_links')
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('remote_id', 'text', (c) => c.notNull())
      .addColumn('remote_url', 'text')
      .addColumn('remote_updated_at', 'text')
      .addColumn('local_hash', 'text', (c) => c.notNull())
      .addColumn('remote_hash', 'text', (c) => c.notNull())
      .addColumn('base', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_links_pk', ['connection', 'entity_type', 'local_id'])
      .execute();
    await db.schema
      .createIndex('sync_links_remote')
      .on('sync_links')
      .columns(['connection', 'entity_type', 'remote_id'])
      .execute();

    await db.schema
      .createTable('sync_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('dry_run', 'integer', (c) => c.notNull())
      .addColumn('filters', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('retry_of', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('duration_ms', 'integer')
      .addColumn('error', 'text')
      .addColumn('counters', 'text', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('heartbeat_at', 'text')
      .addColumn('cancel_requested_at', 'text')
      .execute();
    await db.schema.createIndex('sync_runs_connection').on('sync_runs').columns(['connection', 'created_at']).execute();
    await db.schema
      .createIndex('sync_runs_idempotency')
      .on('sync_runs')
      .columns(['connection', 'idempotency_key'])
      .unique()
      .where(sql.ref('idempotency_key'), 'is not', null)
      .execute();

    await db.schema
      .createTable('sync_run_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('sync_runs.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text')
      .addColumn('remote_id', 'text')
      .addColumn('remote_url', 'text')
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('retried_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sync_run_items_run').on('sync_run_items').columns(['run_id', 'seq']).execute();
    await db.schema.createIndex('sync_run_items_status').on('sync_run_items').columns(['status', 'updated_at']).execute();

    await db.schema
      .createTable('sync_cursors')
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('cursor', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_cursors_pk', ['connection', 'entity_type'])
      .execute();

    await db.schema
      .createTable('audit_logs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_logs_at').on('audit_logs').column('at').execute();
  },
};
