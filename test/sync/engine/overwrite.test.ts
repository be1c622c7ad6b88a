import { describe, expect, test, vi } from 'vitest';
import type { AuditEntry, SyncRun, SyncRunItem } from '../../../src/domain/index.js';
import type { SyncedType } from '../../../src/sync/index.js';
import type { Call } from '../../helpers/memory-tracker.js';
import { memorySyncApp } from '../../helpers/memory-sync.js';
import { memoryErrors } from '../../helpers/memory-tracker.js';
import { DIALECTS } from '../../helpers/stores.js';

/** Overwrite runs (seed 004): the remote made equal to pm, deletions counted as they happen. */

const remoteTask = (title: string, more: Record<string, unknown> = {}) => ({
  title,
  tracker: 'Task',
  status: 'New',
  priority: 'Normal',
  ...more,
});

describe.each(DIALECTS)('overwrite runs on %s', (dialect) => {
  test('deletes the remote records pm does not have, counts them, keeps pm’s, and a second overwrite deletes none', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Kept' });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed');
    for (const title of ['Stray 1', 'Stray 2', 'Stray 3']) f.remote.put('work_items', remoteTask(title));

    const run = await f.sync({ overwrite: true });
    expect(run).toMatchObject({ status: 'completed', overwrite_mode: true, deletion_count: 3, mode: 'full', direction: 'push' });
    expect(run.counters.work_items).toMatchObject({ delete: 3, overwrite_deleted: 3, unchanged: 1 });
    expect(f.remote.all('work_items').map((r) => r.fields.title)).toEqual(['Kept']);
    // Nothing came the other way.
    expect((await f.local.listItems({})).items.map((i) => i.title)).toEqual(['Kept']);
    const stored = (await f.engine.getRun(run.id)).run;
    expect([stored.overwrite_mode, stored.deletion_count]).toEqual([true, 3]);

    const again = await f.sync({ overwrite: true });
    expect([again.status, again.deletion_count]).toEqual(['completed', 0]);
    expect(f.remote.all('work_items')).toHaveLength(1);
  });

  test('pm wins every field: a remote edit is overwritten, not pulled, and a record deleted in pm goes remotely', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Mine' });
    await f.local.addItem({ item_type: 'task', title: 'Deleted here' });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed');
    const [mine, doomed] = f.remote.all('work_items');
    f.remote.put('work_items', { title: 'Edited remotely' }, { id: mine!.id });
    await f.local.removeItem('WEB-2');

    const run = await f.sync({ overwrite: true });
    expect([run.status, run.deletion_count]).toEqual(['completed', 1]);
    expect(f.remote.all('work_items').map((r) => [r.id, r.fields.title])).toEqual([[mine!.id, 'Mine']]);
    expect(f.remote.all('work_items').some((r) => r.id === doomed!.id)).toBe(false);
    expect((await f.local.getItem('WEB-1')).title).toBe('Mine');
    expect(await f.store.sync.links('memory', 'work_items')).toHaveLength(1);
  });

  test('a record pm keeps under a remote parent pm does not have is moved out first, not deleted with it', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Child' });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed');
    const stray = f.remote.put('work_items', remoteTask('Stray parent'));
    f.remote.put('work_items', { parent_id: stray.id }, { id: f.remote.all('work_items')[0]!.id });

    const run = await f.sync({ overwrite: true });
    expect([run.status, run.deletion_count]).toEqual(['completed', 1]);
    expect(f.remote.all('work_items').map((r) => [r.fields.title, r.fields.parent_id ?? null])).toEqual([['Child', null]]);
  });

  test('a parent whose child pm could not move out stays, with a failure saying why', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Child' });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed');
    const stray = f.remote.put('work_items', remoteTask('Stray parent'));
    f.remote.put('work_items', { parent_id: stray.id }, { id: f.remote.all('work_items')[0]!.id });
    f.remote.inject({ call: 'update', type: 'work_items', error: memoryErrors.refused });

    const run = await f.sync({ overwrite: true });
    expect([run.status, run.deletion_count]).toEqual(['completed_with_errors', 0]);
    expect(f.remote.all('work_items').map((r) => r.fields.title)).toEqual(['Child', 'Stray parent']);
    const failed = (await f.engine.getRun(run.id)).items.filter((i) => i.status === 'failed');
    expect(failed.map((i) => [i.operation, i.remote_id])).toEqual([
      ['update', f.remote.all('work_items')[0]!.id],
      ['delete', stray.id],
    ]);
    expect(failed[1]!.error).toContain('is under it on the remote, and moving that failed');
  });

  test('a record pm has that was deleted remotely is made again, not deleted in pm', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Mine' });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed');
    f.remote.remove('work_items', f.remote.all('work_items')[0]!.id);

    const run = await f.sync({ overwrite: true });
    expect([run.status, run.counters.work_items]).toEqual(['completed', { create: 1 }]);
    expect(f.remote.all('work_items').map((r) => r.fields.title)).toEqual(['Mine']);
    expect((await f.local.getItem('WEB-1')).deleted_at).toBeNull();
    const [link] = await f.store.sync.links('memory', 'work_items');
    expect(link!.remote_id).toBe(f.remote.all('work_items')[0]!.id);
  });

  test('a dry run says what it would delete and deletes nothing', async () => {
    const f = await memorySyncApp(dialect);
    for (const title of ['Stray 1', 'Stray 2']) f.remote.put('work_items', remoteTask(title));
    const run = await f.sync({ overwrite: true, dry_run: true });
    expect(run).toMatchObject({ status: 'completed', dry_run: true, overwrite_mode: true, deletion_count: 2 });
    const { items } = await f.engine.getRun(run.id);
    expect(items.map((i) => [i.operation, i.status, i.local_id])).toEqual([
      ['delete', 'planned', null],
      ['delete', 'planned', null],
    ]);
    expect(f.remote.all('work_items')).toHaveLength(2);
  });

  test('the deletion count is written after every chunk, so a run stuck midway already shows what it deleted', async () => {
    const f = await memorySyncApp(dialect, { batch_size: 2, workers: 1 });
    for (let i = 1; i <= 5; i++) f.remote.put('work_items', remoteTask(`Stray ${i}`));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const call = f.remote.call.bind(f.remote);
    let deletes = 0;
    // The fifth deletion (the third chunk's) hangs, as on a remote that stopped answering.
    vi.spyOn(f.remote, 'call').mockImplementation(async (what: Call, type: SyncedType, work: () => unknown) => {
      if (what === 'delete' && ++deletes === 5) await gate;
      return call(what, type, work);
    });
    const who = { actor: 'tester' };
    const { run } = await f.engine.request({ overwrite: true }, who);
    const running = f.engine.execute(run.id, who);
    await vi.waitFor(() => expect(deletes).toBe(5));
    const midway = (await f.store.sync.getRun(run.id))!;
    expect([midway.status, midway.deletion_count, midway.counters.work_items?.overwrite_deleted]).toEqual(['running', 4, 4]);
    expect((await f.engine.getRun(run.id)).items).toHaveLength(4);
    release();
    expect((await running).deletion_count).toBe(5);
  });

  test('an overwrite that would pull or narrow to some records is refused, and no run is recorded', async () => {
    const f = await memorySyncApp(dialect);
    await expect(f.engine.request({ overwrite: true, direction: 'pull' }, { actor: 't' })).rejects.toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'direction' }],
    });
    await expect(f.engine.request({ overwrite: true, filters: { ids: ['WEB-1'] } }, { actor: 't' })).rejects.toMatchObject({
      issues: [{ path: 'filters.ids' }],
    });
    expect((await f.engine.listRuns()).total).toBe(0);
  });

  test('the API takes overwrite only as a boolean, in the body or as ?overwrite=true, and shows it on runs and audit', async () => {
    const f = await memorySyncApp(dialect);
    f.remote.put('work_items', remoteTask('Stray'));
    const refused = await f.api.post<{ error: { field: string } }>('/sync/runs', { overwrite: 'yes' });
    expect([refused.status, refused.body.error.field]).toEqual([400, 'overwrite']);
    const unknown = await f.api.post<{ error: { field: string } }>('/sync/runs?overwrite=maybe', {});
    expect(unknown.status).toBe(400);
    expect((await f.engine.listRuns()).total).toBe(0);

    const started = await f.api.post<{ sync_id: string; overwrite_mode: boolean }>('/sync/runs', { overwrite: true });
    expect([started.status, started.body.overwrite_mode]).toEqual([202, true]);
    expect((await f.settle(started.body.sync_id)).deletion_count).toBe(1);
    const byQuery = await f.api.post<{ sync_id: string; overwrite_mode: boolean }>('/sync/work_items?overwrite=true', {});
    expect([byQuery.status, byQuery.body.overwrite_mode]).toEqual([202, true]);
    await f.settle(byQuery.body.sync_id);

    const list = (await f.api.get<{ runs: SyncRun[] }>('/sync/runs')).body.runs;
    expect(list.map((r) => [r.overwrite_mode, r.deletion_count])).toEqual([
      [true, 0],
      [true, 1],
    ]);
    const detail = (await f.api.get<{ run: SyncRun }>(`/sync/runs/${started.body.sync_id}`)).body.run;
    expect([detail.overwrite_mode, detail.deletion_count]).toEqual([true, 1]);
    const status = (await f.api.get<{ deletion_count: number }>(`/sync/status/${started.body.sync_id}`)).body;
    expect(status.deletion_count).toBe(1);
    const audit = await f.store.sync.listAudit({ entityId: started.body.sync_id });
    const started_ = audit.find((e: AuditEntry) => e.action === 'sync_started')!;
    expect(started_.details).toMatchObject({ overwrite_mode: true });
    expect(audit.find((e) => e.action === 'sync_completed')!.details).toMatchObject({ deletion_count: 1 });
  });

  test('a record marked not synced syncs again after the undo, and its failure is open again', async () => {
    const f = await memorySyncApp(dialect);
    await f.local.addItem({ item_type: 'task', title: 'Refused' });
    f.remote.inject({ call: 'create', type: 'work_items', error: () => new Error('refused'), times: 1 });
    expect((await f.sync({ direction: 'push' })).status).toBe('completed_with_errors');
    type Failures = { items: SyncRunItem[]; total: number };
    const failure = (await f.api.get<Failures>('/sync/failures')).body.items[0]!;
    const notMarked = await f.api.delete<{ error: { code: string } }>(`/sync/failures/${failure.id}/not-synced`);
    expect([notMarked.status, notMarked.body.error.code]).toEqual([400, 'not_ignored']);
    expect((await f.api.post(`/sync/failures/${failure.id}/not-synced`)).status).toBe(200);
    expect((await f.sync({ direction: 'push' })).counters.work_items).toEqual({ skipped: 1 });

    const undone = await f.api.delete<SyncRunItem>(`/sync/failures/${failure.id.slice(-12)}/not-synced`);
    expect([undone.status, undone.body.status]).toEqual([200, 'failed']);
    expect((await f.api.get<Failures>('/sync/failures')).body.total).toBe(1);
    const next = await f.sync({ direction: 'push' });
    expect([next.status, next.counters.work_items]).toEqual(['completed', { create: 1 }]);
    expect(f.remote.all('work_items')).toHaveLength(1);
    expect((await f.api.get<Failures>('/sync/failures')).body.total).toBe(0);
  });
});
