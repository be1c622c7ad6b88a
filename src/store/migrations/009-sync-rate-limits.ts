import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 9: a connection's rate limit shared by every process on the database
 * (scale-out). One row per connection: `tat`, the "theoretical arrival time" of GCRA, is when
 * the connection's requests reserved so far would have gone at exactly its rate, in ms since the
 * epoch on the engines' clock (fractional: 1000 / rate need not be whole).
 */
export const syncRateLimits: Migration = {
  version: 9,
  name: 'sync-rate-limits',
  async up(db: Db) {
    await db.schema
      .createTable('sync_rate_limits')
      .addColumn('connection', 'text', (c) => c.primaryKey())
      .addColumn('tat', 'double precision', (c) => c.notNull())
      .execute();
  },
};
