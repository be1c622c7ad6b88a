import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/**
 * Schema version 2: bearer tokens for `pm serve`. Only a hash of each secret is kept, so a
 * copy of the database does not hand out access. Tokens are local to a database: they are not
 * records of the data model and never travel in snapshots.
 */
export const apiTokens: Migration = {
  version: 2,
  name: 'api-tokens',
  async up(db: Db) {
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
  },
};
