import type BetterSqlite3 from 'better-sqlite3';
import { SchemaVersionError } from '../../domain/index.js';
import { LATEST_SCHEMA_VERSION } from '../migrations/latest.js';
import { Sqlite } from './driver.js';
import { readOnlyCopy } from './read-only-copy.js';

export interface SqliteOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  busyTimeoutMs?: number;
}

/** The connection to a SQLite file: WAL mode, foreign keys on, waiting on locks. */
export function openConnection(path: string, options: SqliteOptions): BetterSqlite3.Database {
  try {
    return connect(path, options);
  } catch (error) {
    const copy = readOnlyCopy(path, error);
    if (!copy) throw error;
    return copy;
  }
}

/**
 * Whether the database needs migrating before use; refuses one a newer pm wrote. One pragma:
 * the schema version is kept in the file's header (`user_version`).
 */
export function checkedVersion(sqlite: BetterSqlite3.Database, path: string, options: SqliteOptions): boolean {
  const version = Number(sqlite.pragma('user_version', { simple: true }));
  if (version > LATEST_SCHEMA_VERSION) throw new SchemaVersionError(`database ${path}`, version, LATEST_SCHEMA_VERSION);
  return version < LATEST_SCHEMA_VERSION && options.migrate !== false;
}

function connect(path: string, options: SqliteOptions): BetterSqlite3.Database {
  const sqlite = new Sqlite(path, { timeout: options.busyTimeoutMs ?? 10_000 });
  try {
    sqlite.pragma('journal_mode = WAL');
    // WAL with NORMAL: a commit survives the process being killed at any moment; only an OS
    // crash or power loss can drop the last commits (never corrupt the file).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
