import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/index.js';
import {
  basePath,
  fileHash,
  importSnapshot,
  keepBase,
  writeSnapshotFile,
  type ImportResult,
  type SnapshotPaths,
} from '../sync/index.js';
import type { HttpClient } from './http-client.js';

/**
 * `pm sync push` and `pm sync pull`: this repository and a pm server merge through the bulk
 * endpoints, three-way against a base kept per server.
 *
 * What the base is. A field only one side changed since the base takes that side's value, even
 * an older one (a `git revert` on this side reaches the server); a field both sides changed
 * goes to the later write and is logged as a conflict. So the base must be a snapshot both
 * sides have fully taken in:
 *
 * - after a pull, the server's export we just merged: we have merged it, and the server holds
 *   at least that (its data only moves forward);
 * - after a push, our export the server just merged: the same argument, mirrored.
 *
 * A pull merges here, with the base as a local file. A push merges on the server, which keeps
 * no bases of its clients: the base is uploaded (PUT /sync/bases/{sha256}) and named in the
 * import, so the server's merge is three-way against the same base. Without a kept base (the
 * first exchange) both are two-way. Nothing is kept after a dry run or a failure, so the next
 * exchange merges against the last one that happened. A lost base makes the next exchange
 * two-way: every differing field goes to the later write.
 */
export interface RemoteSync {
  store: Store;
  paths: SnapshotPaths & { tmp: string };
  client: HttpClient;
  dryRun?: boolean;
}

/** The file name of a server's base: servers are told apart by URL. */
export function peerBase(client: HttpClient): string {
  return `peer-${createHash('sha256').update(client.server).digest('hex').slice(0, 16)}.json`;
}

function scratchFile(paths: { tmp: string }, kind: string): string {
  mkdirSync(paths.tmp, { recursive: true });
  return join(paths.tmp, `${kind}-${process.pid}-${randomUUID()}.json`);
}

function keptBase(sync: RemoteSync): string | undefined {
  const base = basePath(sync.paths, peerBase(sync.client));
  return existsSync(base) ? base : undefined;
}

/** Merges the server's data into this repository's. */
export async function pullFrom(sync: RemoteSync): Promise<ImportResult> {
  const file = scratchFile(sync.paths, 'pull');
  try {
    await sync.client.download('sync/export', file);
    const base = keptBase(sync);
    const result = await importSnapshot(sync.store, file, {
      mode: 'merge',
      dryRun: sync.dryRun ?? false,
      label: `${sync.client.server} (export)`,
      ...(base ? { basePath: base } : {}),
    });
    if (!result.dry_run) keepBase(sync.paths, file, peerBase(sync.client));
    return result;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Merges this repository's data into the server's; answers what the server's import did. */
export async function pushTo(sync: RemoteSync): Promise<ImportResult> {
  const file = scratchFile(sync.paths, 'push');
  try {
    await writeSnapshotFile(sync.store, file);
    const base = keptBase(sync);
    const baseHash = base ? fileHash(base) : undefined;
    if (base) await sync.client.upload('PUT', `sync/bases/${baseHash}`, base);
    const result = await sync.client.upload<ImportResult>('POST', 'sync/import', file, {
      mode: 'merge',
      dry_run: sync.dryRun ?? false,
      base: baseHash,
    });
    if (!result.dry_run) keepBase(sync.paths, file, peerBase(sync.client));
    return result;
  } finally {
    rmSync(file, { force: true });
  }
}
