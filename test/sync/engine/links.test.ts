import { describe, expect, it } from 'vitest';
import { newId, type SyncLink } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { LinkIndex } from '../../../src/sync/engine/links.js';
import { DIALECTS, freshStore } from '../../helpers/stores.js';

const at = '2026-11-22T08:00:00.000Z';

function link(type: string, remoteId: string): SyncLink {
  return {
    connection: 'redmine',
    entity_type: type,
    local_id: newId(),
    remote_id: remoteId,
    remote_url: null,
    remote_updated_at: at,
    local_hash: 'l',
    remote_hash: 'r',
    base: { local: { title: remoteId }, remote: {} },
    synced_at: at,
  };
}

async function stored(store: Store, ...links: SyncLink[]): Promise<void> {
  await store.write(async (tx) => {
    for (const l of links) await tx.sync.putLink(l);
  });
}

describe.each(DIALECTS)('a run’s links on %s', (dialect) => {
  it('finds stored links by local and by remote id, read whole or as looked up', async () => {
    const store = await freshStore(dialect);
    const [a, b, sprint] = [link('work_items', '1'), link('work_items', '2'), link('sprints', '1')];
    await stored(store, a, b, sprint);
    for (const whole of [false, true]) {
      const index = await LinkIndex.load(store.sync, 'redmine', { whole });
      expect(index.local('work_items', a.local_id)).toEqual(a);
      expect(index.remote('work_items', '2')).toEqual(b);
      expect(index.remote('sprints', '1')).toEqual(sprint);
      expect(index.remote('work_items', '3')).toBeUndefined();
      expect(index.local('sprints', a.local_id)).toBeUndefined();
      expect(await index.all('work_items')).toEqual(expect.arrayContaining([a, b]));
      expect(await index.all('work_items')).toHaveLength(2);
    }
    await store.close();
  });

  it('answers with what the run wrote before the database has it, and a moved link frees its old remote id', async () => {
    const store = await freshStore(dialect);
    const [a, b, c] = [link('work_items', '1'), link('work_items', '2'), link('work_items', '3')];
    await stored(store, a, b, c);
    const index = await LinkIndex.load(store.sync, 'redmine');
    // a now points at remote 9 (not looked up before), b is removed, d is new: none written yet.
    const moved = { ...a, remote_id: '9' };
    index.set(moved);
    index.remove(b);
    const d = link('work_items', '4');
    index.set(d);
    expect(index.remote('work_items', '1')).toBeUndefined();
    expect(index.remote('work_items', '9')).toEqual(moved);
    expect(index.local('work_items', a.local_id)).toEqual(moved);
    expect(index.local('work_items', b.local_id)).toBeUndefined();
    expect(index.remote('work_items', '2')).toBeUndefined();
    expect(index.remote('work_items', '4')).toEqual(d);
    const all = await index.all('work_items');
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining([moved, c, d]));
    await store.close();
  });
});
