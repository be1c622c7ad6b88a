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

/** First half of the two-key advisory lock that admits one writer per schema (`holdLock` uses 727002). */
const WRITER_LOCK_KEYSPACE = 727003;

/**
 * Write transactions behave as SQLite's BEGIN IMMEDIATE: one at a time per pm database (schema),
 * across every connection and process, while readers keep reading their snapshots. A
 * transaction-scoped advisory lock, taken by the first statement, admits one writer; under READ
 * COMMITTED each later statement sees every write committed before the lock was granted (a lock
 * is released only once its commit is visible). So version checks, read-modify-write edits,
 * number allocation and the cycle and uniqueness checks that read other rows all see what they
 * change. Every write already updates the one change counter row, so writers could never commit
 * side by side; SERIALIZABLE would only add aborts and retries of transactions whose JavaScript
 * side effects cannot be repeated. In one process, writers also queue before taking a pooled
 * connection, so waiting writers never hold the connections readers need.
 */
function postgresTransactor(schema: string): Transactor {
  const oneAtATime = queue();
  return {
    write: (db, fn) =>
      oneAtATime(() =>
        db
          .transaction()
          .setIsolationLevel('read committed')
          .execute(async (tx) => {
            await sql`select pg_advisory_xact_lock(${WRITER_LOCK_KEYSPACE}, hashtext(${schema}))`.execute(tx);
            return fn(tx);
          }),
      ),
    read: (db, fn) => db.transaction().setIsolationLevel('repeatable read').execute(fn),
  };
}

/** Runs the functions given to it one after another, in the order given. */
function queue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Creates the schema if it is not there, as a write: CREATE SCHEMA IF NOT EXISTS from several
 * processes at once fails in all but one (a unique violation), so they take turns.
 */
async function ensureSchema(db: Db, transactor: Transactor, schema: string): Promise<void> {
  const found = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
  if (found.rows.length === 0) await transactor.write(db, (tx) => sql.raw(`create schema if not exists ${schema}`).execute(tx));
}

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
  constructor(
    location: string,
    db: Db,
    transactor: Transactor,
    inTransaction: boolean,
    onClose: () => Promise<void>,
    clients: BackendClients,
  ) {
    super(location, db, transactor, inTransaction, onClose, clients);
    this.closeHook = onClose;
  }

  private readonly closeHook: () => Promise<void>;

  protected override bind(tx: Db): PostgresStore {
    return new PostgresStore(this.location, tx, this.transactor, true, this.closeHook, this.clients);
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
    const transactor = postgresTransactor(schema);
    const store = new PostgresStore(location, db, transactor, false, () => db.destroy(), clients);
    try {
      if (schema !== 'public') await ensureSchema(db, transactor, schema);
      const version = await readSchemaVersion(db, 'postgres');
      if (version > LATEST_SCHEMA_VERSION) throw new SchemaVersionError(`database ${location}`, version, LATEST_SCHEMA_VERSION);
      if (version < LATEST_SCHEMA_VERSION && options.migrate !== false) await migrate(db, 'postgres', transactor, location);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return store;
  }
}
