import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDriver = typeof BetterSqlite3;

const requireDriver = createRequire(import.meta.url);

/**
 * better-sqlite3 12 built against Node ≥ 24.19 headers aborts the process when the GC finalizes a
 * statement (nodejs/node#65446); 13 is built on Node-API and does not, but crashes on Node 20.
 * So each runtime loads the major that works on it; the 13 package is an optional dependency.
 */
function loadDriver(): SqliteDriver {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return requireDriver('better-sqlite3-napi') as SqliteDriver;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return withAddon(requireDriver('better-sqlite3') as SqliteDriver);
}

/**
 * Driver 12 finds its compiled addon through the `bindings` package, which tries a dozen paths
 * on the first open: a few milliseconds of every command. Where the addon is where npm builds
 * it, it is named directly instead.
 */
function withAddon(Driver: SqliteDriver): SqliteDriver {
  const addon = join(dirname(requireDriver.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(addon)) return Driver;
  return class extends Driver {
    constructor(filename?: string | Buffer, options: BetterSqlite3.Options = {}) {
      super(filename, { nativeBinding: addon, ...options });
    }
  } as SqliteDriver;
}

export const Sqlite: SqliteDriver = loadDriver();
