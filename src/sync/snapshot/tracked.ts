import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Store } from '../../store/index.js';
import type { ExportResult } from './export.js';
import type { ImportResult } from './import.js';
import { META_EXPORTED_SEQ, META_SNAPSHOT_HASH, META_SNAPSHOT_SIGNATURE } from './meta-keys.js';
import { signatureOf } from './splice.js';
import type { SnapshotPaths } from './workspace-files.js';

/**
 * What every command asks of the tracked snapshot, answered without loading the code that
 * imports and exports it (workspace-files.ts and all it needs): that code loads only when a
 * command has a take-in or an export to do.
 */
const files = () => import('./workspace-files.js');

/**
 * True when the tracked snapshot certainly holds nothing the database has not seen: there is
 * none, or its stat signature is the one recorded with its hash. Otherwise only hashing tells.
 */
export async function snapshotUntouched(store: Store, paths: SnapshotPaths): Promise<boolean> {
  if (!existsSync(paths.snapshot)) return true;
  if ((await store.getMeta(META_SNAPSHOT_HASH)) === undefined) return false;
  return (await store.getMeta(META_SNAPSHOT_SIGNATURE)) === signatureOf(statSync(paths.snapshot));
}

/** Imports the tracked snapshot when it changed (after a clone, a pull, a checkout); else does nothing. */
export async function importIfChanged(store: Store, paths: SnapshotPaths): Promise<ImportResult | undefined> {
  if (await snapshotUntouched(store, paths)) return undefined;
  return (await files()).importIfChanged(store, paths);
}

/** Whether the database has changes the tracked snapshot lacks. */
export async function hasUnexportedChanges(store: Store): Promise<boolean> {
  const exported = Number((await store.getMeta(META_EXPORTED_SEQ)) ?? 0);
  return Number((await store.getMeta('local_seq')) ?? 0) > exported;
}

/** See workspace-files.ts. */
export async function exportSnapshot(
  store: Store,
  paths: SnapshotPaths,
  output?: string,
  options?: { force?: boolean },
): Promise<ExportResult> {
  return (await files()).exportSnapshot(store, paths, output, options);
}

/** See workspace-files.ts. */
export async function exportPending(
  store: Store,
  paths: SnapshotPaths,
  whenLocked?: () => void,
): Promise<ExportResult | undefined> {
  return (await files()).exportPending(store, paths, whenLocked);
}

/**
 * True when `markUnexported` has nothing to do: there is no snapshot, or it already ends in the
 * mark. Reading its last two bytes spares asking git whether pm's hook is installed.
 */
export function unexportedMarked(paths: SnapshotPaths): boolean {
  let fd: number;
  try {
    fd = openSync(paths.snapshot, 'r');
  } catch {
    return true;
  }
  try {
    const tail = Buffer.alloc(2);
    readSync(fd, tail, 0, 2, Math.max(0, fstatSync(fd).size - 2));
    return tail.toString() === '\n\n';
  } finally {
    closeSync(fd);
  }
}

/** See workspace-files.ts. */
export async function markUnexported(
  store: Store,
  paths: SnapshotPaths,
  options?: { flush?: boolean; ifFree?: boolean },
): Promise<boolean> {
  return (await files()).markUnexported(store, paths, options);
}
