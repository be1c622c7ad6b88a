import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { openStore, type Store, type SyncRepository } from '../../../src/store/index.js';
import { SyncEngine, type RunEvent } from '../../../src/sync/index.js';
import { connectionSettings, syncFixture, type SyncFixture } from '../../helpers/redmine.js';
import { runRecord } from '../../helpers/runs.js';

/** The engine in process, against the real Redmine: lifecycle, cancellation, recovery, history. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

const requester = { actor: 'tester@example.com', source_ip: '127.0.0.1', user_agent: 'vitest' };
const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function engineFor(f: SyncFixture, options: { store?: Store; log?: (m: string) => void } = {}) {
  const store = options.store ?? (await openStore(join(f.dir, '.pm', 'data.db')));
  opened.push(store);
  const settings = connectionSettings(f, { workers: 2 });
  const engine = new SyncEngine({
    store,
    connections: () => settings,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    ...(options.log ? { log: options.log } : {}),
  });
  return { engine, store };
}

/** A property of an object, methods bound to it (proxies hand out methods detached from their object). */
function bound<T extends object>(target: T, key: keyof T): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

async function addTasks(f: SyncFixture, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
}

describe('sync engine', () => {
  test('a run goes queued → running → completed, and its events come in order with the final one last', async () => {
    const f = await syncFixture();
    await addTasks(f, 3);
    const { engine } = await engineFor(f);
    const { run, created } = await engine.request({ mode: 'full' }, requester);
    expect(created).toBe(true);
    expect(run).toMatchObject({ status: 'queued', mode: 'full', direction: 'both', requested_by: requester.actor });

    const events: RunEvent[] = [];
    engine.events.on(run.id, (e) => events.push(e));
    const final = await engine.execute(run.id, requester);
    expect(final.status).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'run_started' });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', run: { status: 'completed' } });
    const items = events.flatMap((e) => (e.type === 'item_done' ? [e.item] : []));
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3]);

    const { run: stored, items: storedItems } = await engine.getRun(run.id);
    expect(stored).toMatchObject({ status: 'completed', counters: { work_items: { create: 3 } } });
    expect(stored.duration_ms).toBeGreaterThanOrEqual(0);
    expect(storedItems.map((i) => i.id)).toEqual(items.map((i) => i.id));
    const audit = await (await engineFor(f)).store.sync.listAudit({ entityId: run.id });
    expect(audit.map((a) => a.action).sort()).toEqual(['sync_completed', 'sync_requested', 'sync_started']);
    expect(audit.find((a) => a.action === 'sync_requested')).toMatchObject({
      actor: requester.actor,
      source_ip: '127.0.0.1',
      user_agent: 'vitest',
    });
  });

  test('a cancelled run stops at its next record, and the next run finishes the work without duplicates', async () => {
    const f = await syncFixture();
    await addTasks(f, 20);
    const { engine } = await engineFor(f);
    const { run } = await engine.request({}, requester);
    engine.events.on(run.id, (e) => {
      if (e.type === 'item_done') void engine.cancel(run.id, requester);
    });
    const final = await engine.execute(run.id, requester);
    expect(final.status).toBe('cancelled');
    const partly = (await f.api.issues(f.project)).length;
    expect(partly).toBeLessThan(20);

    const next = await engine.execute((await engine.request({}, requester)).run.id, requester);
    expect(next.status).toBe('completed');
    expect(await f.api.issues(f.project)).toHaveLength(20);
  });

  test('a queued run is cancelled at once; a finished one cannot be', async () => {
    const f = await syncFixture();
    const { engine } = await engineFor(f);
    const { run } = await engine.request({}, requester);
    expect((await engine.cancel(run.id, requester)).status).toBe('cancelled');
    expect((await engine.execute(run.id, requester)).status).toBe('cancelled'); // nothing left to run
    await expect(engine.cancel(run.id, requester)).rejects.toMatchObject({ code: 'run_finished' });
  });

  test('a run whose process died is failed by the next engine that looks, never left running', async () => {
    const f = await syncFixture();
    const { engine, store } = await engineFor(f);
    const orphan = runRecord({ owner: `999999999@${hostname()}` });
    await store.sync.insertRun(orphan);
    const [failed] = await engine.recover();
    expect(failed).toMatchObject({ id: orphan.id, status: 'failed' });
    expect((await store.sync.getRun(orphan.id))!.error).toMatch(/interrupted/);
  });

  test('history that cannot be written is logged and the run still completes', async () => {
    const f = await syncFixture();
    await addTasks(f, 2);
    const real = await openStore(join(f.dir, '.pm', 'data.db'));
    opened.push(real);
    // The store as it is, except that history cannot be written.
    const broken = new Proxy(real.sync, {
      get(target, key: keyof SyncRepository) {
        if (key === 'insertRunItems' || key === 'insertAudit') return () => Promise.reject(new Error('disk full'));
        return bound(target, key);
      },
    });
    const store = new Proxy(real, { get: (target, key: keyof Store) => (key === 'sync' ? broken : bound(target, key)) });
    const logged: string[] = [];
    const { engine } = await engineFor(f, { store, log: (m) => logged.push(m) });
    const { run } = await engine.request({}, requester);
    const final = await engine.execute(run.id, requester);
    expect(final.status).toBe('completed');
    expect(await f.api.issues(f.project)).toHaveLength(2);
    expect(logged.some((m) => /could not record 2 item\(s\).*disk full/.test(m))).toBe(true);
    expect(logged.some((m) => /audit: could not record sync_completed/.test(m))).toBe(true);
  });

  test('an idempotency key asked for twice at once makes one run', async () => {
    const f = await syncFixture();
    const { engine } = await engineFor(f);
    const [a, b] = await Promise.all([
      engine.request({ idempotency_key: 'k-1' }, requester),
      engine.request({ idempotency_key: 'k-1' }, requester),
    ]);
    expect(a.run.id).toBe(b.run.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await engine.listRuns()).total).toBe(1);
  });
});
