import { describe, expect, test, vi } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../src/domain/index.js';
import { memoryErrors } from '../helpers/memory-tracker.js';
import { memorySyncApp } from '../helpers/memory-sync.js';
import { runRecord } from '../helpers/runs.js';
import { DIALECTS } from '../helpers/stores.js';

/** The sync API in the shape of the seeds (002, 004): filters, aggregates, aliases; against a tracker in memory. */

type Failures = { items: (SyncRunItem & { connection: string })[]; total: number };

function finished(at: string, counters: SyncRun['counters']): SyncRun {
  return runRecord({ connection: 'memory', status: 'completed', created_at: at, started_at: at, finished_at: at, counters });
}

describe.each(DIALECTS)('the seeds’ sync API on %s', (dialect) => {
  test('GET /sync/runs filters by entity and by a date range with an end; a date covers its whole day', async () => {
    const { api, store } = await memorySyncApp(dialect);
    const first = finished('2026-12-01T09:00:00.000Z', { work_items: { create: 2 } });
    const second = finished('2026-12-02T10:00:00.000Z', { comments: { failed: 1 }, work_items: { update: 1 } });
    const third = finished('2026-12-03T00:00:00.000Z', {});
    for (const run of [first, second, third]) await store.sync.insertRun(run);
    const ids = async (query: string) => {
      const answer = await api.get<{ runs: SyncRun[]; total: number }>(`/sync/runs?${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.total).toBe(answer.body.runs.length);
      return answer.body.runs.map((r) => r.id);
    };
    expect(await ids('entity=comments')).toEqual([second.id]);
    expect(await ids('entity=work_items')).toEqual([second.id, first.id]);
    expect(await ids('from=2026-12-02&to=2026-12-02')).toEqual([second.id]);
    expect(await ids('to=2026-12-02')).toEqual([second.id, first.id]);
    expect(await ids('from=2026-12-02T10:00:00Z')).toEqual([third.id, second.id]);
    expect(await ids('entity=work_items&from=2026-12-02')).toEqual([second.id]);
    const badEntity = await api.get<{ error: { field: string } }>('/sync/runs?entity=projects');
    expect([badEntity.status, badEntity.body.error.field]).toEqual([400, 'entity']);
    const badTime = await api.get<{ error: { field: string } }>('/sync/runs?from=yesterday');
    expect([badTime.status, badTime.body.error.field]).toEqual([400, 'from']);
  });

  test('failures and retry take an entity; record_ids retries exactly those failures', async () => {
    const f = await memorySyncApp(dialect, { workers: 1 });
    for (const title of ['One', 'Two', 'Three']) await f.local.addItem({ item_type: 'task', title });
    // WEB-1 and WEB-2 fail; the comment fails on its own, its item WEB-3 made it.
    await f.local.addComment({ item: 'WEB-3', content: 'A comment' });
    f.remote.inject({ call: 'create', type: 'comments', error: memoryErrors.refused, times: Infinity });
    f.remote.inject({ call: 'create', type: 'work_items', error: memoryErrors.refused, times: 2 });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed_with_errors');
    f.remote.clearFaults();

    const failures = async (query = '') => (await f.api.get<Failures>(`/sync/failures${query}`)).body;
    const items = await failures('?entity=work_items');
    expect(items.total).toBe(2);
    expect(items.items.every((i) => i.entity_type === 'work_items')).toBe(true);
    expect((await failures('?entity=comments')).items.map((i) => i.entity_type)).toEqual(['comments']);

    const one = items.items[0]!;
    const retried = await f.api.post<{ sync_id: string; records: number }>('/sync/retry', { record_ids: [one.id.slice(-12)] });
    expect(retried.status).toBe(202);
    expect(retried.body.records).toBe(1);
    const run = await f.settle(retried.body.sync_id);
    expect(run.filters.ids).toEqual([one.local_id]);
    expect((await failures('?entity=work_items')).items.map((i) => i.id)).toEqual([items.items[1]!.id]);
    expect((await failures('?entity=comments')).total).toBe(1);

    const comments = await f.api.post<{ sync_id: string; records: number }>('/sync/retry', { entity: 'comments' });
    expect([comments.status, comments.body.records]).toEqual([202, 1]);
    await f.settle(comments.body.sync_id);
    expect((await failures('?entity=comments')).total).toBe(0);
    expect((await failures()).items.map((i) => i.id)).toEqual([items.items[1]!.id]);
    expect(f.remote.all('comments')).toHaveLength(1);

    const unknown = await f.api.post('/sync/retry', { record_ids: ['ffffffffffff'] });
    expect(unknown.status).toBe(404);
  });

  test('runs carry total_records, records_completed and records_failed; items their key and title; work items count by type', async () => {
    const f = await memorySyncApp(dialect, { workers: 1 });
    await f.local.addItem({ item_type: 'epic', title: 'Payments' });
    await f.local.addItem({ item_type: 'story', title: 'Pay by card' });
    await f.local.addItem({ item_type: 'story', title: 'Pay by invoice' });
    f.remote.inject({ call: 'create', type: 'work_items', error: memoryErrors.refused, times: 1 });
    const run = await f.sync({ direction: 'push' });

    const list = await f.api.get<{ runs: (SyncRun & Record<string, number>)[] }>('/sync/runs');
    expect(list.body.runs[0]).toMatchObject({ id: run.id, total_records: 3, records_completed: 2, records_failed: 1 });
    const detail = await f.api.get<{
      run: SyncRun & Record<string, number>;
      items: (SyncRunItem & { local_key: string; title: string; item_type: string })[];
      by_item_type: Record<string, Record<string, number>>;
    }>(`/sync/runs/${run.id}`);
    expect(detail.body.run).toMatchObject({ total_records: 3, records_completed: 2, records_failed: 1 });
    expect(
      detail.body.items.map((i) => [i.local_key, i.title, i.item_type, i.status]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
    ).toEqual([
      ['WEB-1', 'Payments', 'epic', 'failed'],
      ['WEB-2', 'Pay by card', 'story', 'done'],
      ['WEB-3', 'Pay by invoice', 'story', 'done'],
    ]);
    expect(detail.body.by_item_type).toEqual({ epic: { failed: 1 }, story: { create: 2 } });
    const failures = await f.api.get<{ items: { title: string }[] }>('/sync/failures');
    expect(failures.body.items.map((i) => i.title)).toEqual(['Payments']);
  });

  test('POST /sync/{entity} syncs only that type; GET /sync/status[/{id}] answer in the seed’s shape', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Linked' });
    expect((await f.sync()).status).toBe('completed');
    await f.local.addComment({ item: 'WEB-1', content: 'Only this goes' });
    await f.local.addItem({ item_type: 'task', title: 'Left for later' });

    const started = await f.api.post<{ sync_id: string; status: string; entity: string; mode: string }>('/sync/comments', {
      mode: 'full',
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'queued', entity: 'comments', mode: 'full' });
    expect((await f.settle(started.body.sync_id)).status).toBe('completed');
    expect(f.remote.all('comments')).toHaveLength(1);
    expect(f.remote.all('work_items').map((r) => r.fields.title)).toEqual(['Linked']);

    const sprints = await f.api.post<{ sync_id: string }>('/sync/sprints', {});
    await f.settle(sprints.body.sync_id);
    type Status = { sync_id: string; status: string; entity: string | null; records: Record<string, number | null> };
    const list = await f.api.get<{ runs: Status[]; total: number }>('/sync/status?entity=sprints');
    expect(list.body.runs.map((r) => [r.sync_id, r.entity])).toEqual([[sprints.body.sync_id, 'sprints']]);
    expect((await f.api.get<{ total: number }>('/sync/status?entity=comments')).body.total).toBe(1);
    expect((await f.api.get<{ total: number }>('/sync/status')).body.total).toBe(3);

    const detail = await f.api.get<Status & { total_records: number; items: { title: string; local_key: string }[] }>(
      `/sync/status/${started.body.sync_id.slice(-12)}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      sync_id: started.body.sync_id,
      status: 'completed',
      entity: 'comments',
      total_records: 1,
      records: { created: 1, failed: 0, pending: 0 },
    });
    expect(detail.body.items.map((i) => [i.local_key, i.title])).toEqual([['WEB-1', 'Linked']]);

    const refused = await f.api.post<{ error: { code: string; field: string } }>('/sync/projects', {});
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([400, 'validation_failed', 'entity']);
    expect((await f.api.get('/sync/status/ffffffffffff')).status).toBe(404);
    const paths = (await f.api.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json')).body.paths;
    expect(Object.keys(paths['/api/v1/sync/{ref}']!)).toEqual(['post']);
    expect(paths['/api/v1/sync/status']!.get).toBeDefined();
    expect(paths['/api/v1/sync/status/{ref}']!.get).toBeDefined();
  });

  test('health carries the sync checks: last sync, error rate, and a full run’s census against the links', async () => {
    const f = await memorySyncApp(dialect, { workers: 1 });
    for (const title of ['One', 'Two']) await f.local.addItem({ item_type: 'task', title });
    f.remote.put('work_items', { ...f.remote.all('work_items')[0]?.fields, title: 'Made remotely', item_type: 'task' });
    expect((await f.sync({ mode: 'full' })).status).toBe('completed');
    type Health = {
      status: string;
      sync: { status: string; checks: { name: string; severity: string; details: Record<string, unknown> }[] };
    };
    let health = (await f.api.get<Health>('/health')).body;
    expect(health.status).toBe('ok');
    expect(health.sync.status).toBe('healthy');
    const consistency = health.sync.checks.find((c) => c.name === 'data_consistency')!;
    expect(consistency.details).toMatchObject({
      out_of_step: 0,
      types: { work_items: { listed_remote: 1, created_remote: 2, linked: 3, unlinked_remote: 0, links_missing_remote: 0 } },
    });

    await f.local.addItem({ item_type: 'task', title: 'Refused' });
    f.remote.inject({ call: 'create', type: 'work_items', error: memoryErrors.refused, times: Infinity });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed_with_errors');
    health = (await f.api.get<Health>('/health')).body;
    expect(health.sync.checks.map((c) => [c.name, c.severity])).toEqual([
      ['last_sync', 'warning'],
      ['error_rate', 'warning'],
      ['data_consistency', 'ok'],
    ]);
    // 1 of the day's few records: over 5 %, not over 25 %.
    const rate = health.sync.checks[1]!.details as { failed: number; total: number; rate: number };
    expect(rate.failed).toBe(1);
    expect(rate.rate).toBeCloseTo(1 / rate.total, 4);
    expect(health.sync.status).toBe('degraded');
  });

  test('metrics count the conflicts runs decided and the throughput of finished runs', async () => {
    const { api, store } = await memorySyncApp(dialect);
    await store.sync.insertRun({
      ...finished('2026-12-01T09:00:00.000Z', { work_items: { update: 30, conflict: 2, unchanged: 28 } }),
      duration_ms: 6000,
    });
    await store.sync.insertRun({ ...finished('2026-12-01T10:00:00.000Z', { comments: { create: 40 } }), duration_ms: 4000 });
    const metrics = (await api.get<Record<string, unknown>>('/sync/metrics')).body;
    expect(metrics.conflicts).toEqual({ decided: 2, unresolved: 0 });
    expect(metrics.throughput).toEqual({ records: 100, duration_ms: 10_000, records_per_minute: 600, average_record_ms: 100 });
  });

  test('a connection’s batch size is how many links a run writes per transaction', async () => {
    const writes = async (batchSize: number) => {
      const f = await memorySyncApp(dialect, { batch_size: batchSize });
      for (let i = 1; i <= 6; i++) await f.local.addItem({ item_type: 'task', title: `Task ${i}` });
      const write = vi.spyOn(f.store, 'write');
      expect((await f.sync({ direction: 'push' })).status).toBe('completed');
      expect(await f.store.sync.links('memory', 'work_items')).toHaveLength(6);
      return write.mock.calls.length;
    };
    const small = await writes(1);
    const large = await writes(100);
    expect(small - large).toBeGreaterThanOrEqual(5);
  });

  test('a dependency the remote refuses can be marked not synced: later runs skip it instead of failing on it', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'story', title: 'Parent' });
    await f.local.addItem({ item_type: 'task', title: 'Child', parent: 'WEB-1' });
    await f.local.addDependency({ blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' });
    f.remote.inject({ call: 'create', type: 'dependencies', error: memoryErrors.refused, times: Infinity });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed_with_errors');
    expect((await f.sync({ direction: 'push' })).status).toBe('completed_with_errors');
    const failures = (await f.api.get<Failures>('/sync/failures')).body.items;
    expect(failures.map((i) => i.entity_type)).toEqual(['dependencies']);

    const marked = await f.api.post<SyncRunItem>(`/sync/failures/${failures[0]!.id.slice(-12)}/not-synced`);
    expect([marked.status, marked.body.status]).toEqual([200, 'not_synced']);
    expect((await f.api.get<Failures>('/sync/failures')).body.total).toBe(0);
    const next = await f.sync({ direction: 'push' });
    expect(next.status).toBe('completed');
    expect(next.counters.dependencies).toEqual({ skipped: 1 });
    expect(f.remote.all('dependencies')).toHaveLength(0);
    expect((await f.api.post(`/sync/failures/${failures[0]!.id}/not-synced`)).status).toBe(400);
  });
});
