import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { SchemaVersionError } from '../../domain/index.js';
import type { Db, LooseDatabase, Transactor } from '../kysely-store.js';
import { migrate, readSchemaVersion } from '../migrator.js';
import { LATEST_SCHEMA_VERSION } from '../migrations/index.js';
import { BackendClients } from './postgres-bulk.js';
import { PostgresBulkStore } from './postgres-bulk-store.js';

export interface PostgresOptions {
  migrate?: boolean;
  poolSize?: number;
}

const postgresTransactor: Transactor = {
  write: (db, fn) => db.transaction().execute(fn),
  read: (db, fn) => db.transaction().setIsolationLevel('repeatable read').execute(fn),
};

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Splits pm's own `?schema=NAME` parameter off a PostgreSQL URL: pm keeps its tables in that
 * schema (created on first use), which lets several pm databases share one PostgreSQL database.
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? 'public';
  u.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)} in database URL`);
  return { connectionString: u.toString(), schema };
}

export class PostgresStore extends PostgresBulkStore {
  constructor(location: string, db: Db, inTransaction: boolean, onClose: () => Promise<void>, clients: BackendClients) {
    super(location, db, postgresTransactor, inTransaction, onClose, clients);
    this.closeHook = onClose;
  }

  private readonly closeHook: () => Promise<void>;

  protected override bind(tx: Db): PostgresStore {
    return new PostgresStore(this.location, tx, true, this.closeHook, this.clients);
  }

  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { connectionString, schema } = parsePostgresUrl(url);
    const location = redactUrl(url);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema}`,
    });
    const clients = new BackendClients(pool);
    const db = new Kysely<LooseDatabase>({ dialect: new PostgresDialect({ pool }) });
    const store = new PostgresStore(location, db, false, () => db.destroy(), clients);
    try {
      if (schema !== 'public') await sql.raw(`create schema if not exists ${schema}`).execute(db);
      const version = await readSchemaVersion(db, 'postgres');
      if (version > LATEST_SCHEMA_VERSION) throw new SchemaVersionError(`database ${location}`, version, LATEST_SCHEMA_VERSION);
      if (version < LATEST_SCHEMA_VERSION && options.migrate !== false)
        await migrate(db, 'postgres', postgresTransactor, location);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return store;
  }
}
