import { afterAll } from 'vitest';
import { defaultLanes, type Clock } from '../../src/domain/index.js';
import type { Dialect, Store } from '../../src/store/index.js';
import { LocalTracker } from '../../src/tracker/index.js';
import { freshStore, storeTarget, storesOn } from './stores.js';

/** A clock that moves only when told to: tests decide what time it is. */
export type ManualClock = Clock & { advance(ms: number): void; set(ms: number): void };

export function manualClock(start = Date.parse('2026-11-21T10:00:00.000Z')): ManualClock {
  let now = start;
  const clock = (() => now) as ManualClock;
  clock.advance = (ms) => (now += ms);
  clock.set = (ms) => (now = ms);
  return clock;
}

const opened: Store[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
});

export async function seedLanes(store: Store): Promise<void> {
  await store.write(async (tx) => {
    for (const lane of defaultLanes())
      if (!(await tx.get('swim_lanes', lane.id))) await tx.insert('swim_lanes', lane, { localSeq: 0 });
  });
}

/** A tracker on a fresh store with the default lanes, acting as `actor`. */
export async function freshTracker(dialect: Dialect, options: { actor?: string; clock?: ManualClock } = {}) {
  const store = await freshStore(dialect);
  opened.push(store);
  await seedLanes(store);
  const clock = options.clock ?? manualClock();
  const tracker = new LocalTracker({ store, actor: options.actor ?? 'alice@example.com', clock, doneStatuses: ['done'] });
  return { store, tracker, clock };
}

/**
 * `count` trackers on one fresh database with the default lanes, each on a store of its own
 * where the dialect allows it (see `storesOn`), as several pm processes would write it.
 */
export async function trackersOn(dialect: Dialect, count: number, options: { clock?: ManualClock } = {}) {
  const stores = await storesOn(storeTarget(dialect), count);
  await seedLanes(stores[0]!);
  const clock = options.clock ?? manualClock();
  const trackers = stores.map(
    (store, i) => new LocalTracker({ store, actor: `writer${i}@example.com`, clock, doneStatuses: ['done'] }),
  );
  return { stores, trackers, clock };
}
