import type { Store } from './store.js';

export interface OpenOptions {
  migrate?: boolean;
  /**
   * SQLite: serve reads without loading Kysely until a call needs more (`SqliteReadStore`),
   * for commands that may only read.
   */
  readFirst?: boolean;
}

/**
 * Opens the store named by a path (SQLite) or a `postgres://` URL. PostgreSQL's driver is
 * loaded only when asked for, so the embedded default starts fast.
 */
export async function openStore(target: string, options: OpenOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(target)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(target, options);
  }
  if (options.readFirst) {
    const { SqliteReadStore } = await import('./sqlite/read-store.js');
    return SqliteReadStore.open(target, options);
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(target, options);
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}
