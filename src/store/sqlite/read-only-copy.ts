import { readFileSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from './driver.js';

/** Open errors that mean "cannot write here" (a full disk, a read-only mount), not "cannot read". */
const UNWRITABLE = /^SQLITE_(CANTOPEN|FULL|READONLY|IOERR)/;

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * A read-only copy in memory of a database that cannot be opened in place because its folder
 * takes no writes: WAL mode needs its `-shm` and `-wal` files there. Reads go on (`pm item
 * list` on a full disk or a read-only mount); every write fails with SQLITE_READONLY, which the
 * caller explains. Only when no write-ahead log holds commits the main file lacks (a clean
 * close leaves none); otherwise undefined, and the open error stands.
 */
export function readOnlyCopy(path: string, error: unknown): BetterSqlite3.Database | undefined {
  if (!UNWRITABLE.test(String((error as { code?: unknown }).code)) || walBytes(path) > 0) return undefined;
  let image: Buffer;
  try {
    image = readFileSync(path);
  } catch {
    return undefined;
  }
  // The header says WAL (2, 2); a memory database reads only the rollback-journal format (1, 1).
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) image.fill(1, 18, 20);
  const copy = new Sqlite(image, { readonly: true });
  copy.pragma('foreign_keys = ON');
  return copy;
}
