import { hostname } from 'node:os';
import { describe, expect, test } from 'vitest';
import type { SyncRun } from '../../../src/domain/index.js';
import type { Store, SyncRepository } from '../../../src/store/index.js';
import { SyncEngine, type RawConnection, type RunEvent } from '../../../src/sync/index.js';
import type { LocalTracker } from '../../../src/tracker/index.js';
import { MemoryTracker, memoryDefinition, memoryErrors } from '../../helpers/memory-tracker.js';
import { runRecord } from '../../helpers/runs.js';
import { freshTracker } from '../../helpers/tracker.js';

/** The engine in process, against the in-memory tracker: lifecycle, cancellation, recovery, history, capabilities. */

const requester = { actor: 'tester@example.com', source_ip: '127.0.0.1', user_agent: 'vitest' };

interface Fixture {
  store: Store;
  local: LocalTracker;
  remote: MemoryTracker;
  engine: SyncEngine;
}

/** A pm project WEB connected to a tracker in memory (with these connection settings). */
async function fixture(
  options: { settings?: Record<string, unknown>; store?: (store: Store) => Store; log?: (m: string) => void } = {},
): Promise<Fixture> {
  const { store, tracker: local } = await freshTracker('sqlite');
  await local.addProject({ key: 'WEB', title: 'Website' });
  const remote = new MemoryTracker();
  const connection: RawConnection = {
    name: 'memory',
    kind: 'memory',
    settings: { url: 'http://memory.invalid', project: 'web', workers: 2, ...options.settings },
    secret: 'key',
    source: 'test',
  };
  const engine = new SyncEngine({
    store: options.store ? options.store(store) : store,
    connections: () => connection,
    definitions: [memoryDefinition(remote)],
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...(options.log ? { log: options.log } : {}),
  });
  return { store, local, remote, engine };
}

async function addTasks(f: Fixture, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.local.addItem({ item_type: 'task', title: `Task ${i}` });
}

async function sync(f: Fixture, request: Parameters<SyncEngine['request']>[0] = {}): Promise<SyncRun> {
  const { run } = await f.engine.request(request, requester);
  return f.engine.execute(run.id, requester);
}

/** A property of an object, methods bound to it (proxies hand out methods detached from their object). */
function bound<T extends object>(target: T, key: keyof T): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

describe('sync engine', () => {
  test('a run goes queued → running → completed, and its events come in order with the final one last', async () => {
    const f = await fixture();
    await addTasks(f, 3);
    const { run, created } = await f.engine.request({ mode: 'full' }, requester);
    expect(created).toBe(true);
    expect(run).toMatchObject({ status: 'queued', mode: 'full', direction: 'both', requested_by: requester.actor });

    const events: RunEvent[] = [];
    f.engine.events.on(run.id, (e) => events.push(e));
    const final = await f.engine.execute(run.id, requester);
    expect(final.status).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'run_started' });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', run: { status: 'completed' } });
    const items = events.flatMap((e) => (e.type === 'item_done' ? [e.item] : []));
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3]);

    const { run: stored, items: storedItems } = await f.engine.getRun(run.id);
    expect(stored).toMatchObject({ status: 'completed', counters: { work_items: { create: 3 } } });
    expect(stored.duration_ms).toBeGreaterThanOrEqual(0);
    expect(storedItems.map((i) => i.id)).toEqual(items.map((i) => i.id));
    const audit = await f.store.sync.listAudit({ entityId: run.id });
    expect(audit.map((a) => a.action).sort()).toEqual(['sync_completed', 'sync_requested', 'sync_started']);
    expect(audit.find((a) => a.action === 'sync_requested')).toMatchObject({
      actor: requester.actor,
      source_ip: '127.0.0.1',
      user_agent: 'vitest',
    });
  });

  test('a cancelled run stops at its next record, and the next run finishes the work without duplicates', async () => {
    const f = await fixture();
    await addTasks(f, 20);
    const { run } = await f.engine.request({}, requester);
    f.engine.events.on(run.id, (e) => {
      if (e.type === 'item_done') void f.engine.cancel(run.id, requester);
    });
    const final = await f.engine.execute(run.id, requester);
    expect(final.status).toBe('cancelled');
    expect(f.remote.all('work_items').length).toBeLessThan(20);

    expect((await sync(f)).status).toBe('completed');
    expect(new Set(f.remote.all('work_items').map((r) => r.pmId)).size).toBe(20);
    expect(f.remote.all('work_items')).toHaveLength(20);
  });

  test('a queued run is cancelled at once; a finished one cannot be', async () => {
    const f = await fixture();
    const { run } = await f.engine.request({}, requester);
    expect((await f.engine.cancel(run.id, requester)).status).toBe('cancelled');
    expect((await f.engine.execute(run.id, requester)).status).toBe('cancelled'); // nothing left to run
    await expect(f.engine.cancel(run.id, requester)).rejects.toMatchObject({ code: 'run_finished' });
    expect(f.remote.calls).toEqual([]);
  });

  test('a run whose process died is failed by the next engine that looks, never left running', async () => {
    const f = await fixture();
    const orphan = runRecord({ connection: 'memory', owner: `999999999@${hostname()}` });
    await f.store.sync.insertRun(orphan);
    const [failed] = await f.engine.recover();
    expect(failed).toMatchObject({ id: orphan.id, status: 'failed' });
    expect((await f.store.sync.getRun(orphan.id))!.error).toMatch(/interrupted/);
  });

  test('history that cannot be written is logged and the run still completes', async () => {
    const logged: string[] = [];
    const f = await fixture({
      log: (m) => logged.push(m),
      // The store as it is, except that history cannot be written.
      store: (real) => {
        const broken = new Proxy(real.sync, {
          get(target, key: keyof SyncRepository) {
            if (key === 'insertRunItems' || key === 'insertAudit') return () => Promise.reject(new Error('disk full'));
            return bound(target, key);
          },
        });
        return new Proxy(real, { get: (target, key: keyof Store) => (key === 'sync' ? broken : bound(target, key)) });
      },
    });
    await addTasks(f, 2);
    expect((await sync(f)).status).toBe('completed');
    expect(f.remote.all('work_items')).toHaveLength(2);
    expect(logged.some((m) => /could not record 2 item\(s\).*disk full/.test(m))).toBe(true);
    expect(logged.some((m) => /audit: could not record sync_completed/.test(m))).toBe(true);
  });

  test('an idempotency key asked for twice at once makes one run', async () => {
    const f = await fixture();
    const [a, b] = await Promise.all([
      f.engine.request({ idempotency_key: 'k-1' }, requester),
      f.engine.request({ idempotency_key: 'k-1' }, requester),
    ]);
    expect(a.run.id).toBe(b.run.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await f.engine.listRuns()).total).toBe(1);
  });
});

describe('sync engine and connector capabilities', () => {
  test('keeps one cursor per type that lists incrementally, and lists each from its own', async () => {
    const f = await fixture();
    await addTasks(f, 2);
    expect((await sync(f)).status).toBe('completed');
    expect(await f.store.sync.getCursor('memory', 'work_items')).toBeDefined();
    expect(await f.store.sync.getCursor('memory', 'time_entries')).toBeDefined();
    expect(await f.store.sync.getCursor('memory', 'sprints')).toBeUndefined(); // listed in full every run

    f.remote.put('work_items', { title: 'From the tracker', tracker: 'Epic', status: 'New', priority: 'Low' });
    const next = await sync(f);
    expect(next.counters.work_items).toMatchObject({ create: 1 });
    const titles = (await f.local.listItems({ all: true })).items.map((i) => i.title).sort();
    expect(titles).toEqual(['From the tracker', 'Task 1', 'Task 2']);
  });

  test('a type the connector does not sync is left alone on both sides', async () => {
    const f = await fixture({ settings: { sync: 'sprints,work_items,comments,dependencies' } });
    await addTasks(f, 1);
    await f.local.addTime({ item: 'WEB-1', duration_seconds: 3600 });
    const run = await sync(f);
    expect(run.status).toBe('completed');
    expect(run.counters.time_entries).toBeUndefined();
    expect(f.remote.all('time_entries')).toEqual([]);
    expect(f.remote.calls.some((c) => c.type === 'time_entries')).toBe(false);
    expect(await f.store.sync.getCursor('memory', 'time_entries')).toBeUndefined();
  });

  test('a deletion the remote cannot make is skipped, the record stays linked, and it is not pulled back', async () => {
    const f = await fixture({ settings: { undeletable: 'comments' } });
    await addTasks(f, 1);
    const comment = await f.local.addComment({ item: 'WEB-1', content: 'Kept upstream' });
    await sync(f);
    expect(f.remote.all('comments')).toHaveLength(1);

    await f.local.removeComment(comment.id);
    const run = await sync(f, { mode: 'full' });
    expect(run.status).toBe('completed');
    expect(run.counters.comments).toMatchObject({ skipped: 1 });
    expect(f.remote.all('comments')).toHaveLength(1);
    expect(await f.local.listComments('WEB-1')).toEqual([]);
    expect(await f.store.sync.linkByRemote('memory', 'comments', f.remote.all('comments')[0]!.id)).toBeDefined();
  });

  test('a create that failed after it happened is found by its pm id: the retry makes no second record', async () => {
    const f = await fixture();
    await addTasks(f, 3);
    f.remote.inject({ call: 'create', type: 'work_items', error: memoryErrors.serverError, after: true });
    const run = await sync(f);
    expect(run.status).toBe('completed');
    expect(f.remote.all('work_items')).toHaveLength(3);
    expect(f.remote.calls.filter((c) => c.call === 'find')).not.toHaveLength(0);
  });

  test('a remote that stays down fails the run’s items, stops calling after five in a row, and a retry completes them', async () => {
    const f = await fixture();
    await addTasks(f, 12);
    f.remote.inject({ call: 'create', error: memoryErrors.timeout, times: Infinity });
    const run = await sync(f, { direction: 'push' });
    expect(run.status).toBe('completed_with_errors');
    const failures = await f.engine.failures();
    expect(failures.total).toBe(12);
    expect(failures.items.filter((i) => /not attempted/.test(i.error ?? '')).length).toBeGreaterThan(0);
    expect(f.remote.calls.filter((c) => c.call === 'create').length).toBeLessThan(12 * 2);

    f.remote.clearFaults();
    const retry = await f.engine.retry({}, requester);
    expect((await f.engine.execute(retry!.id, requester)).status).toBe('completed');
    expect(f.remote.all('work_items')).toHaveLength(12);
    expect(new Set(f.remote.all('work_items').map((r) => r.pmId)).size).toBe(12);
  });
});
