import { statSync } from 'node:fs';
import type { Store } from '../store/index.js';
import { exportQueued, markUnexported, snapshotBusy, unexportedMarked, type SnapshotPaths } from '../sync/index.js';
import type { CliIo, Output } from './output/output.js';

/**
 * Leaves writing .pm/data.json to a pm process of its own (`pm sync export --queued`), which
 * outlives this one, unless an export is already queued (it will write this command's changes).
 * Until it lands the file carries the unexported mark, so `git commit -a` takes it (and the
 * pre-commit hook waits for the export); not when an export under way holds the file, as this
 * command would wait for it.
 */
export async function startBackgroundExport(
  bin: string,
  io: CliIo,
  out: Output,
  store: Store,
  paths: SnapshotPaths,
): Promise<void> {
  if (!unexportedMarked(paths) && !snapshotBusy(paths)) await markUnexported(store, paths, { flush: false });
  if (exportQueued(paths)) return;
  const { spawn } = await import('node:child_process');
  // Not this process's diagnostics file: the export would overwrite what it records.
  const { PM_RUSAGE_FILE: _rusage, ...env } = io.env;
  spawn(process.execPath, [...process.execArgv, bin, 'sync', 'export', '--queued', '--quiet'], {
    cwd: io.cwd,
    env,
    detached: true,
    stdio: 'ignore',
  })
    .on('error', (error) => out.warn(`.pm/data.json was not updated: ${error.message} (pm sync export writes it)`))
    .unref();
}

/** The size of the file at `path`; 0 when there is none. */
export function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
