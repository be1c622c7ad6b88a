import { statSync } from 'node:fs';
import type { Store } from '../store/index.js';
import { exportQueued, markUnexported, unexportedMarked, type SnapshotPaths } from '../sync/index.js';
import type { CliIo, Output } from './output/output.js';

/**
 * Leaves writing .pm/data.json to a pm process of its own (`pm sync export --queued`), which
 * outlives this one, unless an export is already queued (it will write this command's changes).
 * Until it lands the file carries the unexported mark, so `git commit -a` takes it (and the
 * pre-commit hook writes it); not while another process holds the file, as this command would
 * wait for it.
 */
export async function startBackgroundExport(
  bin: string,
  io: CliIo,
  out: Output,
  store: Store,
  paths: SnapshotPaths,
): Promise<void> {
  if (!unexportedMarked(paths)) await markUnexported(store, paths, { flush: false, ifFree: true });
  if (exportQueued(paths)) return;
  const { spawn } = await import('node:child_process');
  // Not this process's diagnostics file: the export would overwrite what it records.
  const { PM_RUSAGE_FILE: _rusage, ...env } = io.env;
  spawn(process.execPath, [...loaderFlags(process.execArgv), bin, 'sync', 'export', '--queued', '--quiet'], {
    cwd: io.cwd,
    env,
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
  })
    .on('error', (error) => out.warn(`.pm/data.json was not updated: ${error.message} (pm sync export writes it)`))
    .unref();
}

const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/** The flags that load code (a TypeScript loader, say), without --inspect, --cpu-prof and the like. */
function loaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (LOADER_FLAGS.includes(flag) && i + 1 < execArgv.length) kept.push(flag, execArgv[++i]!);
    else if (LOADER_FLAGS.some((name) => flag.startsWith(`${name}=`))) kept.push(flag);
  }
  return kept;
}

/** The size of the file at `path`; 0 when there is none. */
export function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
