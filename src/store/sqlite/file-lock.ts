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
  const db = new Sqlite(path, { timeout: WAIT_MS });
  try {
    db.exec('begin exclusive');
    return await fn();
  } finally {
    db.close();
  }
}
