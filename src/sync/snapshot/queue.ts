import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { lockFile, type Store } from '../../store/index.js';
import type { ExportResult } from './export.js';
import { exportPending } from './tracked.js';
import type { SnapshotPaths } from './workspace-files.js';

/**
 * Background exports. A command that leaves writing a large data.json to a process of its own
 * starts one unless one is queued: a queued export holds the queue lock until it holds the
 * snapshot lock, and lets go of it before it reads anything, so every change committed while it
 * is queued is in what it writes. Locks are SQLite's: a process that dies drops them.
 */
function queuePath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.queue.lock`;
}

/** Where a background export that failed leaves its reason, for the next command to tell. */
function failurePath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.export-failed.log`;
}

/** Whether an export is queued: it will write every change committed before now. */
export function exportQueued(paths: SnapshotPaths): boolean {
  return busy(queuePath(paths));
}

/** The lock of whatever handles the tracked snapshot: exports, take-ins, marks. */
export function snapshotLockPath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.lock`;
}

/** Whether an export (or a take-in, or a mark) holds the tracked snapshot now. */
export function snapshotBusy(paths: SnapshotPaths): boolean {
  return busy(snapshotLockPath(paths));
}

function busy(lockPath: string): boolean {
  const lock = lockFile(lockPath, 0);
  lock?.release();
  return lock === undefined;
}

/**
 * What a background export runs: queues, waits for any export under way, then writes the
 * changes data.json lacks. Does nothing when another export is queued (it writes them). A
 * failure is left for `takeExportFailure`, as no one is there to read it.
 */
export async function runQueuedExport(store: Store, paths: SnapshotPaths): Promise<ExportResult | undefined> {
  const queue = lockFile(queuePath(paths), 0);
  if (!queue) return undefined;
  try {
    return await exportPending(store, paths, () => queue.release());
  } catch (error) {
    writeFileSync(failurePath(paths), `${new Date().toISOString()} ${(error as Error).message}\n`, { flag: 'a' });
    throw error;
  } finally {
    queue.release();
  }
}

/** Why the background exports since the last call failed, if any did (and forgets it). */
export function takeExportFailure(paths: SnapshotPaths): string | undefined {
  let text: string;
  try {
    text = readFileSync(failurePath(paths), 'utf8');
  } catch {
    return undefined;
  }
  rmSync(failurePath(paths), { force: true });
  return text.trim() || undefined;
}
