import { sql } from 'kysely';
import { SchemaVersionError } from '../domain/index.js';
import type { Db, Transactor } from './kysely-store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import type { Dialect } from './store.js';

export interface MigrationResult {
  from: number;
  to: number;
}

/** Reads the recorded schema version; 0 for an empty database. */
export async function readSchemaVersion(db: Db, dialect: Dialect): Promise<number> {
  const exists =
    dialect === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'pm_meta'`.execute(db)
      : await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = 'pm_meta'`.execute(
          db,
        );
  if (Number(exists.rows[0]?.n ?? 0) === 0) return 0;
  const row = await db.selectFrom('pm_meta').select('value').where('key', '=', 'schema_version').executeTakeFirst();
  return Number(row?.value ?? 0);
}

/**
 * Applies pending migrations in one write transaction (forward only) and records the version;
 * the write transaction keeps a concurrent open from migrating too. A database written by a
 * newer pm is refused with the version it needs.
 */
export async function migrate(db: Db, dialect: Dialect, transactor: Transactor, location: string): Promise<MigrationResult> {
  return transactor.write(db, async (tx) => {
    const from = await readSchemaVersion(tx, dialect);
    if (from > LATEST_SCHEMA_VERSION) throw new SchemaVersionError(`database ${location}`, from, LATEST_SCHEMA_VERSION);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await migration.up(tx);
      await tx
        .insertInto('pm_meta')
        .values({ key: 'schema_version', value: String(migration.version) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(migration.version) }))
        .execute();
    }
    if (dialect === 'sqlite') await sql.raw(`pragma user_version = ${LATEST_SCHEMA_VERSION}`).execute(tx);
    return { from, to: LATEST_SCHEMA_VERSION };
  });
}
