import { sql, type Kysely } from 'kysely';
import { describe, expect, test, vi } from 'vitest';
import { newId, type SyncRun } from '../../../src/domain/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { SyncEngine, SyncScheduler, type RawConnection } from '../../../src/sync/index.js';
import { LocalTracker } from '../../../src/tracker/index.js';
import type { SyncedType } from '../../../src/sync/connectors/index.js';
import { MemoryTracker, memoryDefinition, type Call } from '../../helpers/memory-tracker.js';
import { runRecord } from '../../helpers/runs.js';
import { postgresUrl, storesOn } from '../../helpers/stores.js';
import { manualClock, seedLanes } from '../../helpers/tracker.js';

/** Scale-out in process: engines on one PostgreSQL schema (a store each, as processes have) share a run's batches. */

const requester = { actor: 'tester@example.com' };

/** A remote whose first create runs `before` first (awaited): to act in the middle of a batch. */
class CueTracker extends MemoryTracker {
  before: (() => Promise<void>) | undefined;

  override async call<T>(call: Call, type: SyncedType, work: () => T | Promise<T>): Promise<T> {
    const cue = call === 'create' ? this.before : undefined;
    this.before = undefined;
    await cue?.();
    return super.call(call, type, work);
  }
}

/** The most of these times (ms) that fall within any one second. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

async function cluster(engines: number, leaseMs = 3000, settings: Record<string, unknown> = {}) {
  const remote = new CueTracker();
  const target = postgresUrl();
  await (await openStore(target)).close(); // migrated once, before the others open it
  const stores = await storesOn(target, engines);
  await seedLanes(stores[0]!);
  const local = new LocalTracker({ store: stores[0]!, actor: 'alice@example.com', clock: manualClock(), doneStatuses: ['done'] });
  await local.addProject({ key: 'WEB', title: 'Website' });
  const connection: RawConnection = {
    name: 'memory',
    kind: 'memory',
    settings: { url: 'http://memory.invalid', project: 'web', workers: 2, ...settings },
    secret: 'key',
    source: 'test',
  };
  const all = stores.map(
    (store) =>
      new SyncEngine({
        store,
        connections: () => connection,
        definitions: [memoryDefinition(remote)],
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        scaleOut: { batchSize: 4, pollMs: 10, leaseMs },
      }),
  );
  return { stores, local, remote, engines: all };
}

describe('sync scale-out', () => {
  test('a run split into batches is pushed by every engine that works them, parents before children, each record once', async () => {
    const c = await cluster(2);
    const [coordinator, worker] = c.engines as [SyncEngine, SyncEngine];
    for (let i = 1; i <= 6; i++) {
      const story = await c.local.addItem({ item_type: 'story', title: `Story ${i}` });
      for (let j = 1; j <= 3; j++) await c.local.addItem({ item_type: 'task', title: `Task ${i}.${j}`, parent: story.key });
    }
    const working = worker.work();
    const { run } = await coordinator.request({ mode: 'full' }, requester);
    const final = await coordinator.execute(run.id, requester);
    await worker.stop();
    await working;

    expect(final).toMatchObject({ status: 'completed', counters: { work_items: { create: 24 } } });
    const items = c.remote.all('work_items');
    expect(items).toHaveLength(24);
    expect(new Set(items.map((r) => r.pmId)).size).toBe(24);
    // Every child names its parent's remote record: parents were created in an earlier wave.
    const byId = new Map(items.map((r) => [r.id, r]));
    expect(items.filter((r) => r.fields.parent_id).every((r) => byId.has(String(r.fields.parent_id)))).toBe(true);
    expect(items.filter((r) => r.fields.parent_id)).toHaveLength(18);

    const batches = await c.stores[0]!.batches.ofRun(run.id);
    expect(batches.length).toBeGreaterThanOrEqual(6);
    expect(batches.every((b) => b.status === 'done')).toBe(true);
    expect(new Set(batches.map((b) => b.owner)).size).toBe(2);
    const detail = await coordinator.getRun(run.id);
    expect(detail.items.filter((i) => i.operation === 'create')).toHaveLength(24);

    // The next run finds nothing to do: the batches' links were kept.
    const again = await coordinator.execute((await coordinator.request({ mode: 'full' }, requester)).run.id, requester);
    expect(again).toMatchObject({ status: 'completed', counters: { work_items: { unchanged: 24 } } });
    expect(c.remote.all('work_items')).toHaveLength(24);
  });

  test('an engine prepares its connector once per run, not once per batch it pushes', async () => {
    const c = await cluster(2);
    const [coordinator, worker] = c.engines as [SyncEngine, SyncEngine];
    for (let i = 1; i <= 24; i++) await c.local.addItem({ item_type: 'task', title: `Task ${i}` });
    const working = worker.work();
    const { run } = await coordinator.request({ mode: 'full', direction: 'push' }, requester);
    const final = await coordinator.execute(run.id, requester);
    await worker.stop();
    await working;

    expect(final).toMatchObject({ status: 'completed', counters: { work_items: { create: 24 } } });
    expect((await c.stores[0]!.batches.ofRun(run.id)).length).toBe(6);
    // The run's own (to plan it), then one per engine for all the batches it pushed.
    expect(c.remote.prepares).toBeLessThanOrEqual(3);
  });

  test("engines that push one run hold its connection's rate limit together: no second has more requests than the limit lets through", async () => {
    const rate = 20; // and a burst of as many
    const c = await cluster(2, 3000, { rate_limit: rate });
    const [coordinator, worker] = c.engines as [SyncEngine, SyncEngine];
    for (let i = 1; i <= 60; i++) await c.local.addItem({ item_type: 'task', title: `Task ${i}` });
    const at: number[] = [];
    c.remote.onCall = () => void at.push(performance.now());
    const working = worker.work();
    const { run } = await coordinator.request({ mode: 'full', direction: 'push' }, requester);
    const final = await coordinator.execute(run.id, requester);
    await worker.stop();
    await working;

    expect(final).toMatchObject({ status: 'completed', counters: { work_items: { create: 60 } } });
    expect(new Set((await c.stores[0]!.batches.ofRun(run.id)).map((b) => b.owner)).size).toBe(2);
    expect(at.length).toBeGreaterThanOrEqual(60);
    // Any second: the burst and a second's worth (GCRA lets one more through), and a few more for
    // requests that reached the remote late and land in the same second as later ones.
    expect(busiestSecond(at)).toBeLessThanOrEqual(rate + rate + 1 + 5);
  });

  test('a batch taken over in the middle has the links and items of the first claim refused; the next claim links its creates by pm id', async () => {
    const c = await cluster(1, 600);
    const [engine] = c.engines as [SyncEngine];
    for (let i = 1; i <= 3; i++) await c.local.addItem({ item_type: 'task', title: `Task ${i}` });
    // Another worker claims the batch while this one is at its first create (as after a pause past its lease).
    const db = (c.stores[0] as unknown as { kysely: Kysely<Record<string, Record<string, unknown>>> }).kysely;
    c.remote.before = async () => {
      await sql`update sync_batches set attempt = attempt + 1 where status = 'running'`.execute(db);
    };
    const { run } = await engine.request({ mode: 'full', direction: 'push' }, requester);
    const final = await engine.execute(run.id, requester);

    expect(final).toMatchObject({ status: 'completed', counters: { work_items: { link: 3 } } });
    expect(c.remote.all('work_items')).toHaveLength(3);
    // The stale claim made the records but wrote neither their links nor its items: the last claim linked them.
    const { items } = await engine.getRun(run.id);
    expect(items.map((i) => i.operation)).toEqual(['link', 'link', 'link']);
    const [batch] = await c.stores[0]!.batches.ofRun(run.id);
    expect(batch).toMatchObject({ status: 'done', attempt: 3 });
  });

  test('a run another engine of the same process is running is not taken for interrupted', async () => {
    const c = await cluster(2);
    const [runner, looker] = c.engines as [SyncEngine, SyncEngine];
    await c.local.addItem({ item_type: 'task', title: 'Task' });
    // The other engine looks at the runs while this one is in the middle of its run.
    c.remote.before = async () => void (await looker.listRuns());
    const { run } = await runner.request({ mode: 'full', direction: 'push' }, requester);

    expect(await runner.execute(run.id, requester)).toMatchObject({ status: 'completed' });
    expect((await looker.getRun(run.id)).run).toMatchObject({ status: 'completed', error: null });
  });

  test('the schedulers of two servers that fire together make one run', async () => {
    const c = await cluster(2);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await c.stores[0]!.sync.insertRun(runRecord({ connection: 'memory', status: 'completed', created_at: hourAgo }));
    const schedulers = c.engines.map((engine) => new SyncScheduler(engine, [{ name: 'memory', everyMs: 600_000 }]));
    // The last run is older than the interval: both fire at once.
    await Promise.all(schedulers.map((s) => s.start()));
    try {
      await vi.waitFor(
        () => expect(schedulers.every((s) => Date.parse(s.nextRunAt('memory')!) > Date.now() + 60_000)).toBe(true),
        { timeout: 10_000, interval: 20 },
      );
      await vi.waitFor(async () => expect((await c.engines[0]!.listRuns({ status: ['completed'] })).total).toBe(2), {
        timeout: 10_000,
        interval: 50,
      });
      expect((await c.engines[0]!.listRuns()).total).toBe(2);
    } finally {
      for (const s of schedulers) s.stop();
    }
  });

  test('a scheduler that fires just after another server finished a run waits an interval from that run', async () => {
    const c = await cluster(1);
    const [engine] = c.engines as [SyncEngine];
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await c.stores[0]!.sync.insertRun(runRecord({ connection: 'memory', status: 'completed', created_at: hourAgo }));
    // The other server's run ends between this scheduler's timer and its first look at the runs.
    const other = runRecord({ connection: 'memory', status: 'completed' });
    let finished = false;
    const racing = new Proxy(engine, {
      get(target, key, receiver) {
        if (key !== 'listRuns') return Reflect.get(target, key, receiver) as unknown;
        return async (...args: Parameters<SyncEngine['listRuns']>) => {
          if (!finished && args[0]?.status) {
            finished = true;
            await c.stores[0]!.sync.insertRun(other);
          }
          return target.listRuns(...args);
        };
      },
    });
    const scheduler = new SyncScheduler(racing, [{ name: 'memory', everyMs: 600_000 }]);
    await scheduler.start();
    try {
      await vi.waitFor(() => expect(finished && Date.parse(scheduler.nextRunAt('memory')!) > Date.now() + 60_000).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      expect(scheduler.nextRunAt('memory')).toBe(new Date(Date.parse(other.created_at) + 600_000).toISOString());
      expect((await engine.listRuns()).total).toBe(2);
    } finally {
      scheduler.stop();
    }
  });

  test('a batch claimed again after its lease ran out fences the earlier claim: its end and writes are refused', async () => {
    const c = await cluster(1);
    const store: Store = c.stores[0]!;
    const run: SyncRun = runRecord({ connection: 'memory', status: 'running' });
    await store.sync.insertRun(run);
    const batch = {
      id: newId(),
      run_id: run.id,
      wave: 0,
      seq: 0,
      ids: [newId()],
      status: 'queued' as const,
      attempt: 0,
      owner: null,
      lease_until: null,
      result: null,
      error: null,
    };
    await store.batches.enqueue([batch]);
    const first = await store.batches.claim('1@gone', 1);
    expect(first).toMatchObject({ id: batch.id, attempt: 1, owner: '1@gone' });
    await new Promise((r) => setTimeout(r, 20));
    const second = await store.batches.claim('2@alive', 60_000);
    expect(second).toMatchObject({ id: batch.id, attempt: 2, owner: '2@alive' });
    expect(await store.batches.claim('3@other', 60_000)).toBeUndefined();

    expect(await store.write((tx) => tx.batches.holds(batch.id, 1))).toBe(false);
    expect(await store.batches.renew(batch.id, 1, 60_000)).toBe(false);
    expect(await store.batches.finish(batch.id, 1, { status: 'done' })).toBe(false);
    expect(await store.batches.finish(batch.id, 2, { status: 'done' })).toBe(true);
    expect((await store.batches.ofRun(run.id))[0]).toMatchObject({ status: 'done', attempt: 2, owner: '2@alive' });
  });
});
