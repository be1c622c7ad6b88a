import { describe, expect, it, onTestFinished } from 'vitest';
import { PmError, type WorkItem } from '../../src/domain/index.js';
import { LATEST_SCHEMA_VERSION, openStore, type Store } from '../../src/store/index.js';
import { importSnapshot } from '../../src/sync/index.js';
import { LocalTracker } from '../../src/tracker/index.js';
import { snapshotText, writeTemp } from '../helpers/snapshot.js';
import { DIALECTS, storeTarget, storesOn } from '../helpers/stores.js';
import { trackersOn } from '../helpers/tracker.js';

/** The error code a write failed with, or 'ok'. */
function outcome(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'ok';
  if (result.reason instanceof PmError) return result.reason.code;
  throw result.reason;
}

/** Items that reach themselves by following parent links. */
function parentLoops(items: readonly WorkItem[]): string[] {
  const parent = new Map(items.map((i) => [i.id, i.parent_id]));
  return items
    .filter((item) => {
      const seen = new Set<string>();
      for (let at: string | null | undefined = item.id; at; at = parent.get(at)) {
        if (seen.has(at)) return true;
        seen.add(at);
      }
      return false;
    })
    .map((i) => i.id);
}

/** The store's export is a file pm's own import accepts (into a new SQLite database). */
async function expectExportImports(store: Store): Promise<void> {
  const file = writeTemp(await snapshotText(store));
  const fresh = await openStore(storeTarget('sqlite'));
  try {
    await expect(importSnapshot(fresh, file)).resolves.toBeDefined();
  } finally {
    await fresh.close();
  }
}

// Writers on PostgreSQL each have a pool of their own, as separate pm processes do; on SQLite they
// share the process's one connection (separate SQLite processes: test/cli/concurrent-writers).
describe.each(DIALECTS)('concurrent write transactions on %s', (dialect) => {
  it('lose no read-modify-write increment', async () => {
    const { stores, trackers } = await trackersOn(dialect, 4);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    const item = await trackers[0]!.addItem({ item_type: 'task', title: 'Counter', story_points: 0 });
    const increments = 100;
    await Promise.all(
      Array.from({ length: increments }, (_, i) =>
        stores[i % stores.length]!.write(async (tx) => {
          const tracker = new LocalTracker({ ...trackers[0]!.ctx, store: tx });
          const current = await tracker.getItem(item.key);
          await tracker.editItem(item.key, { story_points: current.story_points! + 1 });
        }),
      ),
    );
    const final = await trackers[0]!.getItem(item.key);
    expect(final.story_points).toBe(increments);
    expect(final.version).toBe(1 + increments);
  });

  it('keep every concurrent edit of a different field of one item', async () => {
    const { trackers } = await trackersOn(dialect, 6);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    const patches = [
      { title: 'New title' },
      { description: 'New description' },
      { priority: 'critical' },
      { story_points: 8 },
      { assignee: 'bob@example.com' },
      { item_type: 'story' },
    ] as const;
    for (let round = 0; round < 10; round++) {
      const item = await trackers[0]!.addItem({ item_type: 'task', title: `Round ${round}` });
      const results = await Promise.allSettled(patches.map((patch, i) => trackers[i]!.editItem(item.key, patch)));
      expect(results.map(outcome)).toEqual(patches.map(() => 'ok'));
      const final = await trackers[0]!.getItem(item.key);
      expect(final).toMatchObject({
        title: 'New title',
        description: 'New description',
        priority: 'critical',
        story_points: 8,
        assignee_id: 'bob@example.com',
        item_type: 'story',
        version: 1 + patches.length,
      });
    }
  });

  it('let exactly one of several edits carrying the same version win', async () => {
    const { trackers } = await trackersOn(dialect, 5);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    for (let round = 0; round < 5; round++) {
      const item = await trackers[0]!.addItem({ item_type: 'task', title: `Round ${round}` });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => trackers[i % trackers.length]!.editItem(item.key, { title: `Edit ${i}` }, 1)),
      );
      const outcomes = results.map(outcome);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'version_conflict')).toHaveLength(9);
      expect((await trackers[0]!.getItem(item.key)).version).toBe(2);
    }
  });

  it('give concurrent adds distinct numbers and distinct places in their lane', async () => {
    const { trackers } = await trackersOn(dialect, 4);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    const added = await Promise.all(
      Array.from({ length: 40 }, (_, i) => trackers[i % trackers.length]!.addItem({ item_type: 'task', title: `Task ${i}` })),
    );
    expect(added.map((i) => i.item_number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(added.map((i) => i.position)).size).toBe(40);
  });

  it('never let concurrent adds or renames give two sprints one name or two lanes one status', async () => {
    const { stores, trackers } = await trackersOn(dialect, 4);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    const dates = { start_date: '2026-12-01', end_date: '2026-12-14' };
    for (let round = 0; round < 5; round++) {
      const adds = await Promise.allSettled(trackers.map((t) => t.addSprint({ name: `Added ${round}`, ...dates })));
      expect(adds.map(outcome).sort()).toEqual(['already_exists', 'already_exists', 'already_exists', 'ok']);
      const sprints = await Promise.all(trackers.map((t, i) => t.addSprint({ name: `Sprint ${round}.${i}`, ...dates })));
      const renames = await Promise.allSettled(
        sprints.map((s, i) => trackers[i]!.editSprint(s.id, { name: `Renamed ${round}` })),
      );
      expect(renames.map(outcome).sort()).toEqual(['already_exists', 'already_exists', 'already_exists', 'ok']);
      const lanes = await Promise.allSettled(
        trackers.map((t, i) => t.addLane({ project: 'WEB', name: `Lane ${round}.${i}`, status_value: `status_${round}` })),
      );
      expect(lanes.map(outcome).sort()).toEqual(['already_exists', 'already_exists', 'already_exists', 'ok']);
    }
    const names = (await stores[0]!.list('sprints')).map((s) => s.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('never let concurrent parent edits make a loop, so the export imports again', async () => {
    const { stores, trackers } = await trackersOn(dialect, 3);
    const [t0, t1, t2] = trackers as [LocalTracker, LocalTracker, LocalTracker];
    await t0.addProject({ key: 'WEB', title: 'Web' });
    const outcomes: string[][] = [];
    for (let round = 0; round < 15; round++) {
      const [a, b, c, d, e] = await Promise.all(
        ['A', 'B', 'C', 'D', 'E'].map((name) => t0.addItem({ item_type: 'story', title: `${name}${round}` })),
      );
      // Two items each made the other's parent, and a ring of three, at the same moment.
      const pair = Promise.allSettled([t0.editItem(a!.key, { parent: b!.key }), t1.editItem(b!.key, { parent: a!.key })]);
      const ring = Promise.allSettled([
        t0.editItem(c!.key, { parent: d!.key }),
        t1.editItem(d!.key, { parent: e!.key }),
        t2.editItem(e!.key, { parent: c!.key }),
      ]);
      for (const results of await Promise.all([pair, ring])) outcomes.push(results.map(outcome).sort());
    }
    await expectExportImports(stores[0]!);
    expect(parentLoops(await stores[0]!.list('work_items'))).toEqual([]);
    for (const [i, results] of outcomes.entries())
      expect(results).toEqual(i % 2 === 0 ? ['ok', 'parent_cycle'] : ['ok', 'ok', 'parent_cycle']);
  });

  it('never let concurrent blocks dependencies make a cycle', async () => {
    const { stores, trackers } = await trackersOn(dialect, 3);
    const [t0, t1, t2] = trackers as [LocalTracker, LocalTracker, LocalTracker];
    await t0.addProject({ key: 'WEB', title: 'Web' });
    for (let round = 0; round < 10; round++) {
      const [a, b, c] = [
        await t0.addItem({ item_type: 'task', title: `A${round}` }),
        await t0.addItem({ item_type: 'task', title: `B${round}` }),
        await t0.addItem({ item_type: 'task', title: `C${round}` }),
      ];
      const ring = await Promise.allSettled([
        t0.addDependency({ blocking: a.key, blocked: b.key, dependency_type: 'blocks' }),
        t1.addDependency({ blocking: b.key, blocked: c.key, dependency_type: 'blocks' }),
        t2.addDependency({ blocking: c.key, blocked: a.key, dependency_type: 'blocks' }),
      ]);
      expect(ring.map(outcome).sort()).toEqual(['dependency_cycle', 'ok', 'ok']);
    }
    const deps = await stores[0]!.list('dependencies');
    expect(deps).toHaveLength(20);
    for (const dep of deps) expect(await stores[0]!.blocksReachable(dep.blocked_item_id, dep.blocking_item_id)).toBe(false);
    await expectExportImports(stores[0]!);
  });

  it('let readers read while a writer holds the lock and more writers than connections wait', async () => {
    const target = storeTarget(dialect);
    const [writer] = await storesOn(target, 1);
    // A store of its own even on SQLite: its reads do not wait for locks, so they cannot block the thread.
    const reader = await openStore(target);
    onTestFinished(() => reader.close());
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = writer!.write(async (tx) => {
      await tx.setMeta('first', 'written');
      entered();
      await held;
    });
    await inside;
    const waiting = Array.from({ length: 12 }, (_, i) => writer!.write((tx) => tx.setMeta(`waiting-${i}`, 'written')));
    expect(await reader.read((tx) => tx.getMeta('first'))).toBeUndefined();
    // On PostgreSQL the writer's own pool still has a connection for reads.
    if (dialect === 'postgres') expect(await writer!.read((tx) => tx.getMeta('first'))).toBeUndefined();
    release();
    await Promise.all([first, ...waiting]);
    expect(await reader.read((tx) => tx.getMeta('waiting-11'))).toBe('written');
  });
});

describe.runIf(DIALECTS.includes('postgres'))('opening a new PostgreSQL database', () => {
  it('works from several pools at once: one creates and migrates it, the others wait', async () => {
    for (let round = 0; round < 3; round++) {
      const target = storeTarget('postgres');
      const opened = await Promise.allSettled(Array.from({ length: 5 }, () => openStore(target)));
      const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      onTestFinished(async () => {
        for (const store of stores) await store.close();
      });
      expect(opened.map(outcome)).toEqual(opened.map(() => 'ok'));
      for (const store of stores) expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    }
  });
});
