import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { openStore, type Store } from '../../../src/store/index.js';
import { SyncEngine, SyncScheduler } from '../../../src/sync/index.js';
import { connectionSettings, syncFixture } from '../../helpers/redmine.js';
import { runRecord } from '../../helpers/runs.js';

/** Connections synced on their own, as pm serve does with `every = "15m"`, against the real Redmine. */

vi.setConfig({ testTimeout: 180_000 });

const opened: Store[] = [];
const schedulers: SyncScheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) s.stop();
  for (const store of opened.splice(0)) await store.close();
});

async function setUp() {
  const f = await syncFixture();
  await f.pm.ok(['item', 'add', '--type', 'task', 'Scheduled']);
  const store = await openStore(join(f.dir, '.pm', 'data.db'));
  opened.push(store);
  const engine = new SyncEngine({
    store,
    connections: () => connectionSettings(f),
  });
  const schedule = (everyMs: number) => {
    const scheduler = new SyncScheduler(engine, [{ name: 'redmine', everyMs }]);
    schedulers.push(scheduler);
    return scheduler;
  };
  return { f, store, engine, schedule };
}

describe('the sync scheduler', () => {
  test('runs a connection one interval after its last run, again and again, and says when it runs next', async () => {
    const { f, engine, schedule } = await setUp();
    const scheduler = schedule(300);
    const before = Date.now();
    await scheduler.start();
    const first = Date.parse(scheduler.nextRunAt('redmine')!);
    expect(first).toBeGreaterThanOrEqual(before + 300);
    expect(first).toBeLessThanOrEqual(Date.now() + 300);

    await vi.waitFor(async () => expect((await engine.listRuns({ status: ['completed'] })).total).toBeGreaterThanOrEqual(2), {
      timeout: 30_000,
      interval: 100,
    });
    scheduler.stop();
    const { runs } = await engine.listRuns();
    expect(runs.every((r) => r.mode === 'incremental' && r.requested_by === 'pm serve (schedule)')).toBe(true);
    expect(await f.api.issues(f.project)).toHaveLength(1);

    // Started again (a restart): the next run is an interval after the last one, not after the start.
    const later = schedule(3_600_000);
    await later.start();
    expect(later.nextRunAt('redmine')).toBe(new Date(Date.parse(runs[0]!.created_at) + 3_600_000).toISOString());
    later.stop();
    expect(later.nextRunAt('redmine')).toBeNull();
  });

  test('skips its turn while the connection has a run going', async () => {
    const { store, engine, schedule } = await setUp();
    // A run another machine is running (its heartbeat is fresh).
    await store.sync.insertRun(runRecord({ requested_by: 'elsewhere' }));
    const scheduler = schedule(100);
    await scheduler.start();
    const next = () => Date.parse(scheduler.nextRunAt('redmine')!);
    const planned = next();
    await vi.waitFor(() => expect(next()).toBeGreaterThan(planned + 150), { timeout: 5000, interval: 50 });
    expect((await engine.listRuns()).total).toBe(1);
  });
});
