import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lockFile, type Store } from '../../store/index.js';
import type { ExportResult } from './export.js';
import { exportPending } from './tracked.js';
import type { SnapshotPaths } from './workspace-files.js';

// Background exports. A command that leaves writing a large data.json to a process of its own
// starts one unless one is queued: a queued export holds the queue lock until it holds the
// snapshot lock, and lets go of it before it reads anything, so every change committed while it
// is queued is in what it writes. Locks are SQLite's: a process that dies drops them.

function queuePath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.queue.lock`;
}

/** The lock of whatever handles the tracked snapshot: exports, take-ins, marks. */
export function snapshotLockPath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.lock`;
}

/** Where a background export that failed leaves its reason, for the next command to tell. */
function failurePath(paths: SnapshotPaths): string {
  return `${paths.snapshot}.export-failed.log`;
}

/** How long a background export tries to queue: another process may be only asking whether one is. */
const QUEUE_WAIT_MS = 250;

/** Whether an export is queued: it will write every change committed before now. */
export function exportQueued(paths: SnapshotPaths): boolean {
  const queue = lockFile(queuePath(paths), 0);
  queue?.release();
  return queue === undefined;
}

/**
 * What a background export runs: queues, opens the store, waits for any export under way,
 * then writes data.json unless it is current. Does nothing when another export is queued (it
 * writes what this one would). A failure is left for `takeExportFailure`, as no one is there
 * to read it.
 */
export async function runQueuedExport(paths: SnapshotPaths, openStore: () => Promise<Store>): Promise<ExportResult | undefined> {
  const queue = lockFile(queuePath(paths), QUEUE_WAIT_MS);
  if (!queue) return undefined;
  try {
    return await exportPending(await openStore(), paths, () => queue.release());
  } catch (error) {
    writeFileSync(failurePath(paths), `${new Date().toISOString()} ${(error as Error).message}\n`, { flag: 'a' });
    throw error;
  } finally {
    queue.release();
  }
}

/** Why the background exports since the last call failed, if any did (and forgets it). Never throws. */
export function takeExportFailure(paths: SnapshotPaths): string | undefined {
  const taken = `${paths.snapshot}.export-failed-${process.pid}.log`;
  try {
    // Renamed first: a failure recorded meanwhile goes to a new file, for the next call.
    renameSync(failurePath(paths), taken);
    const text = readFileSync(taken, 'utf8').trim();
    rmSync(taken, { force: true });
    return text || undefined;
  } catch {
    return undefined;
  }
}
