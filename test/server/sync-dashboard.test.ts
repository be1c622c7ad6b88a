import { describe, expect, test } from 'vitest';
import { newId, type AuditEntry, type SyncRun, type SyncRunItem } from '../../src/domain/index.js';
import type { ConnectionInfo } from '../../src/server/index.js';
import { withLocalKeys } from '../../src/server/routes/sync-dashboard.js';
import type { WorkItemView } from '../../src/tracker/index.js';
import { runRecord } from '../helpers/runs.js';
import { testApp } from '../helpers/server.js';
import { DIALECTS } from '../helpers/stores.js';

const info = (name: string, more: Partial<ConnectionInfo> = {}): ConnectionInfo => ({
  name,
  kind: 'redmine',
  url: 'https://redmine.example.com',
  project: name,
  pm_project: null,
  strategy: 'manual',
  key: 'env',
  every_ms: null,
  next_run_at: null,
  ...more,
});

function run(connection: string, status: SyncRun['status'], at: string): SyncRun {
  return runRecord({ connection, status, created_at: at, started_at: at, ...(status === 'running' ? {} : { finished_at: at }) });
}

describe.each(DIALECTS)('the sync dashboard API on %s', (dialect) => {
  test('/sync/connections says how each connection is doing, never its key', async () => {
    const connections = [
      info('web'),
      info('ops', { every_ms: 900_000, next_run_at: '2026-12-01T10:15:00.000Z' }),
      info('fresh'),
      info('keyless', { key: 'missing' }),
    ];
    const app = await testApp(dialect, { deps: { connections: () => connections } });
    const ok = run('web', 'completed', '2026-12-01T09:00:00.000Z');
    const failed = run('web', 'failed', '2026-12-01T10:00:00.000Z');
    const running = run('ops', 'running', '2026-12-01T10:05:00.000Z');
    for (const r of [ok, failed, running]) await app.store.sync.insertRun(r);
    const item: SyncRunItem = {
      id: newId(),
      run_id: failed.id,
      seq: 1,
      entity_type: 'work_items',
      local_id: null,
      remote_id: '7',
      remote_url: null,
      direction: 'pull',
      operation: 'update',
      status: 'failed',
      error: 'boom',
      attempts: 4,
      retried_by: null,
      created_at: failed.created_at,
      updated_at: failed.created_at,
    };
    await app.store.sync.insertRunItems([item]);

    const answer = await app.api.get<{ connections: (ConnectionInfo & Record<string, unknown>)[] }>('/sync/connections');
    expect(answer.status).toBe(200);
    const byName = Object.fromEntries(answer.body.connections.map((c) => [c.name, c]));
    expect(byName.web).toMatchObject({
      status: 'failed',
      last_run: { id: failed.id },
      last_success_at: ok.finished_at,
      open_failures: 1,
      active_run: null,
    });
    expect(byName.ops).toMatchObject({
      status: 'running',
      active_run: { id: running.id },
      next_run_at: '2026-12-01T10:15:00.000Z',
    });
    expect(byName.fresh).toMatchObject({ status: 'never_run', last_run: null, last_success_at: null });
    expect(byName.keyless).toMatchObject({ status: 'no_key' });
    expect(JSON.stringify(answer.body)).not.toMatch(/api_?key"/i);
  });

  test('/sync/audit pages through entries newest first, by action and run', async () => {
    const app = await testApp(dialect);
    const runId = newId();
    const entries: AuditEntry[] = ['sync_requested', 'sync_started', 'sync_completed'].map((action, i) => ({
      id: newId(),
      at: `2026-12-01T10:00:0${i}.000Z`,
      actor: 'ana',
      source_ip: '127.0.0.1',
      user_agent: 'test',
      action,
      entity_type: 'sync_run',
      entity_id: runId,
      details: { n: i },
    }));
    for (const e of entries) await app.store.sync.insertAudit(e);
    await app.store.sync.insertAudit({ ...entries[0]!, id: newId(), entity_id: newId(), at: '2026-12-01T11:00:00.000Z' });

    const actions = async (query: string) =>
      (await app.api.get<{ items: AuditEntry[] }>(`/sync/audit${query}`)).body.items.map((e) => e.action);
    expect(await actions('')).toEqual(['sync_requested', 'sync_completed', 'sync_started', 'sync_requested']);
    expect(await actions('?limit=2&offset=1')).toEqual(['sync_completed', 'sync_started']);
    expect(await actions('?action=sync_requested')).toEqual(['sync_requested', 'sync_requested']);
    expect(await actions(`?run=${runId}`)).toEqual(['sync_completed', 'sync_started', 'sync_requested']);
    expect((await app.api.get('/sync/audit?limit=0')).status).toBe(400);
  });

  test('a sync item carries the display key of the pm item it is, or hangs on', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'WEB', title: 'Web' });
    const item = (await app.api.post<WorkItemView>('/work_items', { item_type: 'task', title: 'One' })).body;
    const comment = (await app.api.post<{ id: string }>('/comments', { item: item.key, content: 'Hi' })).body;
    const keyed = await withLocalKeys(app.store, [
      { entity_type: 'work_items', local_id: item.id },
      { entity_type: 'comments', local_id: comment.id },
      { entity_type: 'sprints', local_id: newId() },
      { entity_type: 'work_items', local_id: null },
    ]);
    expect(keyed.map((k) => k.local_key)).toEqual(['WEB-1', 'WEB-1', null, null]);
  });
});
