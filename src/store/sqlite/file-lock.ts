import { AsyncLocalStorage } from 'node:async_hooks';
import { Sqlite } from './driver.js';

/** How long a process waits for another to release a file lock before giving up. */
const WAIT_MS = 10 * 60 * 1000;

const holding = new AsyncLocalStorage<Set<string>>();
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding an exclusive lock on `path` across processes: SQLite's lock on a database
 * file of its own (the operating system drops it when the holder dies, whatever way it dies).
 * Waits for the holder; in this process, calls queue up, and a call inside `fn` runs at once.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const held = holding.getStore();
  if (held?.has(path)) return fn();
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.then(
    () => locked(path, () => holding.run(new Set([...(held ?? []), path]), fn)),
    () => locked(path, () => holding.run(new Set([...(held ?? []), path]), fn)),
  );
  const tail = run.catch(() => undefined);
  queues.set(path, tail);
  try {
    return await run;
  } finally {
    if (queues.get(path) === tail) queues.delete(path);
  }
}

async function locked<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = lockFile(path, WAIT_MS);
  if (!lock) throw new Error(`${path}: still locked after ${WAIT_MS / 60_000} minutes`);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * Locks `path`, a SQLite file of its own held in an exclusive transaction: SQLite's file locks
 * are released by the operating system when the process dies, however it dies, so a crashed
 * holder never leaves a stale lock behind. Waits up to `waitMs`; undefined if still busy.
 */
export function lockFile(path: string, waitMs: number): { release(): void } | undefined {
  const db = new Sqlite(path, { timeout: waitMs });
  try {
    // No journal file beside the lock while it is held: `git status` would list it.
    db.pragma('journal_mode = memory');
    db.exec('begin exclusive');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
