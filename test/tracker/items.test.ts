import { describe, expect, it } from 'vitest';
import { PmError } from '../../src/domain/index.js';
import { DIALECTS } from '../helpers/stores.js';
import { freshTracker } from '../helpers/tracker.js';

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PmError)) throw new Error(`expected a PmError, got ${String(error)}`);
  return error.code;
}

describe.each(DIALECTS)('work items on %s', (dialect) => {
  it('numbers items per project and addresses them by key, id or id tail', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'web', title: 'Web' });
    await tracker.addProject({ key: 'API', title: 'Api' });
    const a = await tracker.addItem({ project: 'WEB', item_type: 'epic', title: 'Checkout' });
    const b = await tracker.addItem({ project: 'WEB', item_type: 'story', title: 'Card', parent: 'WEB-1' });
    const c = await tracker.addItem({ project: 'API', item_type: 'task', title: 'Auth' });
    expect([a.key, b.key, c.key]).toEqual(['WEB-1', 'WEB-2', 'API-1']);
    expect(b.parent_id).toBe(a.id);
    expect((await tracker.getItem('web-2')).id).toBe(b.id);
    expect((await tracker.getItem(b.id)).key).toBe('WEB-2');
    expect((await tracker.getItem(b.id.slice(-12))).key).toBe('WEB-2');
  });

  it('defaults to the only project, the first lane, medium priority and the end of the lane', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const a = await tracker.addItem({ item_type: 'task', title: 'One' });
    const b = await tracker.addItem({ item_type: 'task', title: 'Two' });
    expect(a.status).toBe('backlog');
    expect(a.priority).toBe('medium');
    expect(b.position).toBeGreaterThan(a.position);
  });

  it('refuses unknown keys and malformed ids with not_found', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    expect(await code(tracker.getItem('WEB-99'))).toBe('not_found');
    expect(await code(tracker.getItem('NOPE-1'))).toBe('not_found');
    expect(await code(tracker.getItem('not-an-id!'))).toBe('not_found');
    expect(await code(tracker.getItem('0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d'))).toBe('not_found');
    expect(await code(tracker.getProject('ZZZ'))).toBe('not_found');
  });

  it('refuses a parent in another project', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addProject({ key: 'API', title: 'Api' });
    await tracker.addItem({ project: 'API', item_type: 'epic', title: 'Other' });
    expect(await code(tracker.addItem({ project: 'WEB', item_type: 'story', title: 'x', parent: 'API-1' }))).toBe(
      'cross_project_parent',
    );
  });

  it('refuses a parent that would make a cycle', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'epic', title: 'A' });
    await tracker.addItem({ item_type: 'story', title: 'B', parent: 'WEB-1' });
    await tracker.addItem({ item_type: 'task', title: 'C', parent: 'WEB-2' });
    expect(await code(tracker.editItem('WEB-1', { parent: 'WEB-3' }))).toBe('parent_cycle');
    expect(await code(tracker.editItem('WEB-1', { parent: 'WEB-1' }))).toBe('parent_cycle');
  });

  it('refuses invalid enums and statuses that have no lane', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    expect(await code(tracker.addItem({ item_type: 'bug' as 'task', title: 'x' }))).toBe('validation_failed');
    expect(await code(tracker.addItem({ item_type: 'task', title: 'x', priority: 'urgent' as 'high' }))).toBe(
      'validation_failed',
    );
    expect(await code(tracker.addItem({ item_type: 'task', title: 'x', status: 'qa' }))).toBe('validation_failed');
    expect(await code(tracker.addItem({ item_type: 'task', title: '   ' }))).toBe('validation_failed');
  });

  it('edits, bumps the version, stamps field clocks and honours a version precondition', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const a = await tracker.addItem({ item_type: 'task', title: 'One' });
    clock.advance(1000);
    const edited = await tracker.editItem('WEB-1', { title: 'One!', status: 'todo', story_points: 3 }, 1);
    expect(edited.version).toBe(2);
    expect(edited.updated_at > a.updated_at).toBe(true);
    expect(Object.keys(edited.field_updated_at).sort()).toEqual(['status', 'story_points', 'title']);
    expect(await code(tracker.editItem('WEB-1', { title: 'stale' }, 1))).toBe('version_conflict');
    const same = await tracker.editItem('WEB-1', { title: 'One!' });
    expect(same.version).toBe(2);
  });

  it('keeps updated_at moving forward when the clock steps back', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const a = await tracker.addItem({ item_type: 'task', title: 'One' });
    clock.advance(-60_000);
    const b = await tracker.editItem('WEB-1', { title: 'Two' });
    expect(Date.parse(b.updated_at)).toBe(Date.parse(a.updated_at) + 1);
  });

  it('moves items between lanes and to a rank within a lane', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B', 'C']) await tracker.addItem({ item_type: 'task', title: t, status: 'todo' });
    await tracker.moveItem('WEB-3', { status: 'todo', rank: 1 });
    await tracker.moveItem('WEB-2', { status: 'in_progress' });
    const board = await tracker.board({});
    const col = (s: string) => board.columns.find((c) => c.lane.status_value === s)!.items.map((i) => i.key);
    expect(col('todo')).toEqual(['WEB-3', 'WEB-1']);
    expect(col('in_progress')).toEqual(['WEB-2']);
    expect(await code(tracker.moveItem('WEB-1', { status: 'nowhere' }))).toBe('validation_failed');
  });

  it('moves an item before or after another item of the lane, and only from the version it was at', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B', 'C', 'D']) await tracker.addItem({ item_type: 'task', title: t, status: 'todo' });
    const todo = async () =>
      (await tracker.board({})).columns.find((c) => c.lane.status_value === 'todo')!.items.map((i) => i.key);
    await tracker.moveItem('WEB-4', { status: 'todo', before: 'WEB-2' });
    expect(await todo()).toEqual(['WEB-1', 'WEB-4', 'WEB-2', 'WEB-3']);
    await tracker.moveItem('WEB-1', { status: 'todo', after: 'WEB-3' });
    expect(await todo()).toEqual(['WEB-4', 'WEB-2', 'WEB-3', 'WEB-1']);
    expect(await code(tracker.moveItem('WEB-1', { status: 'review', before: 'WEB-2' }))).toBe('validation_failed');

    const item = await tracker.getItem('WEB-2');
    expect(await code(tracker.moveItem('WEB-2', { status: 'review', version: item.version - 1 }))).toBe('version_conflict');
    expect((await tracker.getItem('WEB-2')).status).toBe('todo');
    expect((await tracker.moveItem('WEB-2', { status: 'review', version: item.version })).status).toBe('review');
  });

  it('shows every item, or those in no sprint, on a board with an active sprint', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addSprint({ name: 'S1', start_date: '2026-12-01', end_date: '2026-12-14', status: 'active' });
    await tracker.addItem({ item_type: 'task', title: 'In the sprint', sprint: 'S1' });
    await tracker.addItem({ item_type: 'task', title: 'Backlog' });
    const keys = async (sprint?: string) =>
      (await tracker.board(sprint === undefined ? {} : { sprint })).columns.flatMap((c) => c.items.map((i) => i.key));
    expect(await keys()).toEqual(['WEB-1']);
    expect((await keys('all')).sort()).toEqual(['WEB-1', 'WEB-2']);
    expect(await keys('none')).toEqual(['WEB-2']);
  });

  it('respaces a lane when there is no gap left', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B', 'C']) await tracker.addItem({ item_type: 'task', title: t, status: 'todo' });
    await tracker.editItem('WEB-1', { position: 1 });
    await tracker.editItem('WEB-2', { position: 2 });
    await tracker.moveItem('WEB-3', { status: 'todo', rank: 2 });
    const board = await tracker.board({});
    expect(board.columns.find((c) => c.lane.status_value === 'todo')!.items.map((i) => i.key)).toEqual([
      'WEB-1',
      'WEB-3',
      'WEB-2',
    ]);
  });

  it('lists with filters and hides finished and deleted items unless asked', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addSprint({ name: 'S1', start_date: '2026-12-01', end_date: '2026-12-14' });
    await tracker.addItem({ item_type: 'story', title: 'Alpha', sprint: 'S1', assignee: 'me' });
    await tracker.addItem({ item_type: 'task', title: 'Beta', status: 'done' });
    await tracker.addItem({ item_type: 'task', title: 'Gamma' });
    await tracker.removeItem('WEB-3');
    const keys = async (q: Parameters<typeof tracker.listItems>[0]) => (await tracker.listItems(q)).items.map((i) => i.key);
    expect(await keys({})).toEqual(['WEB-1']);
    expect(await keys({ all: true })).toEqual(['WEB-1', 'WEB-2']);
    expect(await keys({ all: true, deleted: true })).toEqual(['WEB-1', 'WEB-2', 'WEB-3']);
    expect(await keys({ sprint: 'S1' })).toEqual(['WEB-1']);
    expect(await keys({ assignee: 'me' })).toEqual(['WEB-1']);
    expect(await keys({ item_type: ['task'], all: true })).toEqual(['WEB-2']);
    expect(await keys({ search: 'alp' })).toEqual(['WEB-1']);
    const page = await tracker.listItems({ all: true, limit: 1 });
    expect(page.total).toBe(2);
  });

  it('sorts lists in the database: any field either way, nulls last, priority by rank, pages stable', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addProject({ key: 'API', title: 'Api' });
    const add = async (project: string, title: string, priority: 'low' | 'medium' | 'high' | 'critical', points?: number) => {
      clock.advance(1000);
      await tracker.addItem({
        project,
        item_type: 'task',
        title,
        priority,
        ...(points === undefined ? {} : { story_points: points }),
      });
    };
    await add('API', 'banana', 'high', 3);
    await add('WEB', 'Apple', 'low');
    await add('WEB', 'cherry', 'critical', 1);
    await add('API', 'apple', 'high', 8);
    await add('WEB', 'date', 'medium', 3);
    const keys = async (sort?: string, more: { limit?: number; offset?: number } = {}) =>
      (await tracker.listItems({ ...(sort === undefined ? {} : { sort }), ...more })).items.map((i) => i.key);

    expect(await keys()).toEqual(['WEB-1', 'WEB-2', 'WEB-3', 'API-1', 'API-2']);
    expect(await keys('')).toEqual(await keys());
    // ties end in project and number order
    expect(await keys('-priority')).toEqual(['WEB-2', 'API-1', 'API-2', 'WEB-3', 'WEB-1']);
    expect(await keys('priority')).toEqual(['WEB-1', 'WEB-3', 'API-1', 'API-2', 'WEB-2']);
    expect(await keys('story_points')).toEqual(['WEB-2', 'WEB-3', 'API-1', 'API-2', 'WEB-1']);
    expect(await keys('-story_points')).toEqual(['API-2', 'WEB-3', 'API-1', 'WEB-2', 'WEB-1']);
    expect(await keys('-created_at')).toEqual(['WEB-3', 'API-2', 'WEB-2', 'WEB-1', 'API-1']);
    expect(await keys('-story_points, created_at')).toEqual(['API-2', 'API-1', 'WEB-3', 'WEB-2', 'WEB-1']);
    expect(await keys('-priority', { limit: 2, offset: 1 })).toEqual(['API-1', 'API-2']);
    expect((await tracker.listItems({ sort: '-priority', limit: 2 })).total).toBe(5);
    expect(await keys('-key')).toEqual((await keys('key')).reverse());
    const bad = await tracker.listItems({ sort: 'rank' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'validation_failed', field: 'sort' });
    expect((bad as Error).message).toContain('cannot sort by "rank": expected one of key, created, updated, id, project_id');
    expect(await code(tracker.listItems({ sort: 'field_updated_at' }))).toBe('validation_failed');
  });

  it('deletes as a tombstone that still resolves with its key when asked', async () => {
    const { tracker, store } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'One' });
    const removed = await tracker.removeItem('WEB-1');
    expect(removed.deleted_at).not.toBeNull();
    expect(await code(tracker.getItem('WEB-1'))).toBe('not_found');
    expect((await store.get('work_items', removed.id))?.deleted_at).toBe(removed.deleted_at);
  });

  it('restores a deleted item with the dependencies its delete took, but none that would close a cycle', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const title of ['A', 'B', 'C', 'D']) await tracker.addItem({ item_type: 'task', title });
    const ab = await tracker.addDependency({ blocking: 'WEB-1', blocked: 'WEB-2', dependency_type: 'blocks' });
    await tracker.addDependency({ blocking: 'WEB-2', blocked: 'WEB-3', dependency_type: 'blocks' });
    const ad = await tracker.addDependency({ blocking: 'WEB-1', blocked: 'WEB-4', dependency_type: 'relates_to' });
    // deleted on its own before: the item's delete did not take it, so its restore leaves it
    await tracker.removeDependency(ad.id);
    await tracker.removeItem('WEB-2');
    // while WEB-2 is gone, WEB-3 comes to block WEB-1: both of WEB-2's back would close a cycle
    await tracker.addDependency({ blocking: 'WEB-3', blocked: 'WEB-1', dependency_type: 'blocks' });
    const restored = await tracker.restoreItem('WEB-2');
    expect(restored.deleted_at).toBeNull();
    expect((await tracker.getItem('WEB-2')).title).toBe('B');
    const live = (await tracker.listDependencies()).map((d) => `${d.blocking_key}>${d.blocked_key}`).sort();
    // the first comes back (the item's own blocks first); the second would close 1 > 2 > 3 > 1
    expect(live).toEqual(['WEB-2>WEB-3', 'WEB-3>WEB-1']);
    expect((await tracker.listDependencies()).find((d) => d.id === ab.id)).toBeUndefined();
    expect((await tracker.restoreItem('WEB-2')).version).toBe(restored.version);
  });

  it('deletes an item leaving its children without a parent, and its restore takes back those that have none since', async () => {
    const { tracker, store, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'epic', title: 'Root' });
    await tracker.addItem({ item_type: 'epic', title: 'Epic', parent: 'WEB-1' });
    for (const title of ['Kept', 'Moved', 'Deleted before', 'Looping'])
      await tracker.addItem({ item_type: 'task', title, parent: 'WEB-2' });
    await tracker.addItem({ item_type: 'epic', title: 'Other' });
    await tracker.addItem({ item_type: 'task', title: 'Grandchild', parent: 'WEB-3' });
    const parentOf = async (key: string) => {
      const { parent_id } = await tracker.getItem(key);
      return parent_id === null ? null : (await tracker.getItem(parent_id)).key;
    };
    await tracker.removeItem('WEB-5');
    await tracker.removeItem('WEB-2');
    const live = await store.list('work_items');
    expect(live.filter((i) => i.parent_id !== null && !live.some((p) => p.id === i.parent_id))).toEqual([]);
    expect([await parentOf('WEB-3'), await parentOf('WEB-4'), await parentOf('WEB-6'), await parentOf('WEB-8')]).toEqual([
      null,
      null,
      null,
      'WEB-3',
    ]);
    // an item deleted before its parent would point at it if restored alone: refused, naming the one to restore first
    const alone = await tracker.restoreItem('WEB-5').catch((e: unknown) => e);
    expect(alone).toMatchObject({ code: 'deleted_reference', field: 'parent_id' });
    expect((alone as Error).message).toContain('cannot restore WEB-5: its parent WEB-2 is deleted; pm restore WEB-2 first');
    clock.advance(1000);
    await tracker.editItem('WEB-4', { parent: 'WEB-7' });
    // WEB-6 becomes WEB-1's parent: putting it back under WEB-2 (below WEB-1) would close a loop
    await tracker.editItem('WEB-1', { parent: 'WEB-6' });
    await tracker.restoreItem('WEB-2');
    expect(await parentOf('WEB-2')).toBe('WEB-1');
    expect([await parentOf('WEB-3'), await parentOf('WEB-4'), await parentOf('WEB-6'), await parentOf('WEB-8')]).toEqual([
      'WEB-2',
      'WEB-7',
      null,
      'WEB-3',
    ]);
    expect(await parentOf((await tracker.restoreItem('WEB-5')).key)).toBe('WEB-2');
  });
});
