import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PmError, PRIORITIES } from '../../../src/domain/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { importSnapshot } from '../../../src/sync/index.js';
import { LocalTracker } from '../../../src/tracker/index.js';
import { snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { manualClock, seedLanes, type ManualClock } from '../../helpers/tracker.js';

const REPLICAS = 3;
const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'];

type Op =
  | { kind: 'add'; at: number; title: string }
  | { kind: 'edit'; at: number; item: number; field: 'title' | 'status' | 'priority' | 'story_points'; value: number }
  | { kind: 'remove'; at: number; item: number }
  | { kind: 'block'; at: number; item: number; other: number }
  | { kind: 'comment'; at: number; item: number; text: string }
  | { kind: 'exchange'; from: number; to: number }
  | { kind: 'tick'; at: number; ms: number };

const replica = fc.integer({ min: 0, max: REPLICAS - 1 });
const index = fc.nat(20);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('add' as const), at: replica, title: fc.string({ minLength: 1, maxLength: 12 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      at: replica,
      item: index,
      field: fc.constantFrom('title' as const, 'status' as const, 'priority' as const, 'story_points' as const),
      value: fc.nat(1000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: replica, item: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('block' as const), at: replica, item: index, other: index }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('comment' as const),
      at: replica,
      item: index,
      text: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('exchange' as const), from: replica, to: replica }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), at: replica, ms: fc.integer({ min: 0, max: 120_000 }) }),
  },
);

interface Replica {
  store: Store;
  tracker: LocalTracker;
  clock: ManualClock;
}

async function exchange(from: Replica, to: Replica): Promise<void> {
  await importSnapshot(to.store, writeTemp(await snapshotText(from.store)));
}

/** Runs one operation; refusals (a cycle, a deleted item) are part of the game, not failures. */
async function apply(replicas: Replica[], o: Op): Promise<void> {
  if (o.kind === 'exchange') {
    if (o.from !== o.to) await exchange(replicas[o.from]!, replicas[o.to]!);
    return;
  }
  const r = replicas[o.at]!;
  r.clock.advance(o.kind === 'tick' ? o.ms : 1_000);
  const items = (await r.tracker.listItems({ all: true, limit: 1000 })).items;
  const pick = (n: number) => items[n % Math.max(1, items.length)];
  try {
    switch (o.kind) {
      case 'add':
        await r.tracker.addItem({ project: 'PX', item_type: 'task', title: o.title.trim() || 'x' });
        return;
      case 'edit': {
        const item = pick(o.item);
        if (!item) return;
        const patch =
          o.field === 'title'
            ? { title: `t${o.value}` }
            : o.field === 'status'
              ? { status: STATUSES[o.value % STATUSES.length]! }
              : o.field === 'priority'
                ? { priority: PRIORITIES[o.value % PRIORITIES.length]! }
                : { story_points: o.value % 13 };
        await r.tracker.editItem(item.id, patch);
        return;
      }
      case 'remove': {
        const item = pick(o.item);
        if (item) await r.tracker.removeItem(item.id);
        return;
      }
      case 'block': {
        const [a, b] = [pick(o.item), pick(o.other)];
        if (a && b) await r.tracker.addDependency({ blocking: a.id, dependency_type: 'blocks', blocked: b.id });
        return;
      }
      case 'comment': {
        const item = pick(o.item);
        if (item) await r.tracker.addComment({ item: item.id, content: o.text.trim() || 'x' });
        return;
      }
      case 'tick':
        return;
    }
  } catch (error) {
    if (!(error instanceof PmError)) throw error;
  }
}

describe('replicas exchanging snapshots', () => {
  it('end byte-identical after everyone has seen everything, whatever the edits and the order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 45 }),
        fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: REPLICAS, maxLength: REPLICAS }),
        async (ops, skews) => {
          const replicas: Replica[] = [];
          for (let i = 0; i < REPLICAS; i++) {
            const store = await openStore(':memory:');
            await seedLanes(store);
            const clock = manualClock(Date.parse('2026-11-21T10:00:00.000Z') + skews[i]!);
            replicas.push({
              store,
              clock,
              tracker: new LocalTracker({ store, actor: `r${i}@x`, clock, doneStatuses: ['done'] }),
            });
          }
          try {
            await replicas[0]!.tracker.addProject({ key: 'PX', title: 'Shared' });
            for (const r of replicas.slice(1)) await exchange(replicas[0]!, r);
            for (const o of ops) await apply(replicas, o);
            // Everyone exchanges with everyone until nothing changes any more.
            let texts: string[] = [];
            for (let round = 0; round < 8; round++) {
              for (const from of replicas) for (const to of replicas) if (from !== to) await exchange(from, to);
              texts = await Promise.all(replicas.map((r) => snapshotText(r.store)));
              if (texts.every((t) => t === texts[0])) break;
            }
            expect(texts[1]).toBe(texts[0]);
            expect(texts[2]).toBe(texts[0]);
            const keys = (await replicas[0]!.tracker.listItems({ all: true, limit: 1000 })).items.map((i) => i.key);
            expect(new Set(keys).size).toBe(keys.length);
          } finally {
            for (const r of replicas) await r.store.close();
          }
        },
      ),
      { numRuns: Number(process.env.PM_PROPERTY_RUNS ?? 40) },
    );
  }, 180_000);
});
