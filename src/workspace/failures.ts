import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError, isPmError } from '../domain/index.js';

/** Below this much free space a failed write is put down to a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Why writes in `dir` fail, when the folder itself says: read-only, or no space left. */
function unwritable(dir: string): 'read_only' | 'disk_full' | undefined {
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    return ['EROFS', 'EACCES', 'EPERM'].includes(codeOf(error)) ? 'read_only' : undefined;
  }
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize < NEARLY_FULL_BYTES ? 'disk_full' : undefined;
  } catch {
    return undefined;
  }
}

function cannotWrite(kind: 'read_only' | 'disk_full', path: string, cause: unknown): StorageError {
  const why =
    kind === 'disk_full'
      ? 'the disk is full: free some space and run the command again'
      : `${dirname(path)} is read-only (reading still works): make it writable and run the command again`;
  return new StorageError(kind, `cannot write ${path}: ${why}; nothing was changed`, path, cause);
}

/**
 * A system or SQLite error as a `StorageError` that names the file and the cause (a full disk,
 * a read-only folder, a damaged database and how to rebuild it); anything else as it is. The
 * one place such errors are explained: the CLI passes every failure through it.
 */
export function explainFailure(error: unknown, database: string | undefined): unknown {
  if (isPmError(error)) return error;
  const code = codeOf(error);
  if (code.startsWith('SQLITE_')) {
    if (database === undefined) return error;
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      const snapshot = `${dirname(database)}/data.json`;
      return new StorageError(
        'database_corrupt',
        `${database} is damaged (${(error as Error).message}); ${snapshot} holds the last exported records: rebuild from it with ` +
          `"mv ${database} ${database}.damaged && rm -f ${database}-wal ${database}-shm && pm sync import" (changes not yet exported are lost)`,
        database,
        error,
      );
    }
    if (code === 'SQLITE_FULL') return cannotWrite('disk_full', database, error);
    if (/^SQLITE_(READONLY|IOERR|CANTOPEN)/.test(code)) {
      const kind = unwritable(dirname(database));
      return kind ? cannotWrite(kind, database, error) : error;
    }
    return error;
  }
  const path = (error as { path?: unknown } | null)?.path;
  if (typeof path !== 'string') return error;
  if (code === 'ENOSPC' || code === 'EDQUOT') return cannotWrite('disk_full', path, error);
  if (code === 'EROFS') return cannotWrite('read_only', path, error);
  const reason = FILE_REASONS[code];
  return reason ? new StorageError('file_unavailable', `cannot use ${path}: ${reason}`, path, error) : error;
}
