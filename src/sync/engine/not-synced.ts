import type { Store } from '../../store/index.js';

/**
 * Local records marked not to sync with a connection (`type:localId`): a record the remote
 * refuses (Redmine refuses a subtask blocking its parent) would otherwise fail every run.
 * Runs leave them alone and count them as skipped.
 */
const notSyncedKey = (connection: string) => `sync:${connection}:not_synced`;

export async function notSyncedOf(store: Store, connection: string): Promise<Set<string>> {
  const saved = await store.getMeta(notSyncedKey(connection));
  return new Set(saved ? (JSON.parse(saved) as string[]) : []);
}

export async function markNotSynced(store: Store, connection: string, record: string, synced = false): Promise<void> {
  await store.write(async (tx) => {
    const saved = await tx.getMeta(notSyncedKey(connection));
    const records = new Set(saved ? (JSON.parse(saved) as string[]) : []);
    if (synced) records.delete(record);
    else records.add(record);
    await tx.setMeta(notSyncedKey(connection), JSON.stringify([...records].sort()));
  });
}
