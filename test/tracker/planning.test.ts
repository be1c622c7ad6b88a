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

describe.each(DIALECTS)('projects, sprints and lanes on %s', (dialect) => {
  it('refuses a second live project with the same key', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    expect(await code(tracker.addProject({ key: 'web', title: 'Again' }))).toBe('already_exists');
    expect(await code(tracker.addProject({ key: 'W', title: 'Too short' }))).toBe('validation_failed');
  });

  it('deletes a project with items only when forced, and then everything in it', async () => {
    const { tracker, store } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'One' });
    await tracker.addComment({ item: 'WEB-1', content: 'hi' });
    expect(await code(tracker.removeProject('WEB'))).toBe('has_dependents');
    await tracker.removeProject('WEB', { force: true });
    expect(await store.count('work_items')).toBe(0);
    expect(await store.count('comments')).toBe(0);
    expect(await store.count('work_items', { includeDeleted: true })).toBe(1);
  });

  it('refuses a sprint that ends before it starts, on create and on edit', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    expect(await code(tracker.addSprint({ name: 'S', start_date: '2026-12-10', end_date: '2026-12-01' }))).toBe('sprint_dates');
    await tracker.addSprint({ name: 'S', start_date: '2026-12-01', end_date: '2026-12-10' });
    expect(await code(tracker.editSprint('S', { end_date: '2026-11-30' }))).toBe('sprint_dates');
    expect(await code(tracker.addSprint({ name: 's', start_date: '2026-12-01', end_date: '2026-12-10' }))).toBe('already_exists');
    expect(await code(tracker.addSprint({ name: 'T', start_date: '2026-02-30', end_date: '2026-12-10' }))).toBe(
      'validation_failed',
    );
  });

  it('finds sprints by name, id or "active", and frees their items when deleted', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const s = await tracker.addSprint({ name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-10', status: 'active' });
    expect((await tracker.getSprint('sprint 1')).id).toBe(s.id);
    expect((await tracker.getSprint('active')).id).toBe(s.id);
    await tracker.addItem({ item_type: 'task', title: 'One', sprint: 'Sprint 1' });
    expect((await tracker.board({})).sprint?.id).toBe(s.id);
    await tracker.removeSprint('Sprint 1');
    expect((await tracker.getItem('WEB-1')).sprint_id).toBeNull();
  });

  it('restores a deleted sprint with the items its delete took out of it, unless they moved on since', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const s1 = await tracker.addSprint({ name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-10' });
    await tracker.addSprint({ name: 'Sprint 2', start_date: '2026-12-11', end_date: '2026-12-20' });
    for (const title of ['A', 'B', 'C', 'D']) await tracker.addItem({ item_type: 'task', title, sprint: 'Sprint 1' });
    await tracker.addItem({ item_type: 'task', title: 'E', sprint: 'Sprint 2' });
    await tracker.addItem({ item_type: 'task', title: 'F' });
    // deleted at the same instant as Sprint 1: its items must not come to Sprint 1
    await tracker.removeSprint('Sprint 2');
    await tracker.removeSprint('Sprint 1');
    expect(await code(tracker.getSprint('Sprint 1'))).toBe('not_found');
    clock.advance(1000);
    await tracker.editItem('WEB-2', { sprint: null });
    await tracker.addSprint({ name: 'Sprint 3', start_date: '2026-12-21', end_date: '2026-12-30' });
    await tracker.editItem('WEB-3', { sprint: 'Sprint 3' });
    await tracker.removeItem('WEB-4');
    const restored = await tracker.restoreSprint('sprint 1');
    expect(restored).toMatchObject({ id: s1.id, deleted_at: null });
    const inSprint1 = (await tracker.listItems({ sprint: 'Sprint 1', all: true })).items.map((i) => i.key);
    // setting no sprint on WEB-2 changed nothing; WEB-3 moved on to Sprint 3; WEB-4 is deleted
    expect(inSprint1).toEqual(['WEB-1', 'WEB-2']);
    expect((await tracker.getItem('WEB-3')).sprint_id).toBe((await tracker.getSprint('Sprint 3')).id);
    expect((await tracker.getItem('WEB-5')).sprint_id).toBeNull();
    expect((await tracker.restoreSprint('Sprint 1')).version).toBe(restored.version);
    await tracker.restoreSprint('Sprint 2');
    expect((await tracker.getItem('WEB-5')).sprint_id).toBe((await tracker.getSprint('Sprint 2')).id);
  });

  it('restores an item whose sprint was deleted since without it, and the sprint takes it back when restored', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addSprint({ name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-10' });
    await tracker.addItem({ item_type: 'task', title: 'A', sprint: 'Sprint 1' });
    await tracker.removeItem('WEB-1');
    await tracker.removeSprint('Sprint 1');
    expect((await tracker.restoreItem('WEB-1')).sprint_id).toBeNull();
    const sprint = await tracker.restoreSprint('Sprint 1');
    expect((await tracker.getItem('WEB-1')).sprint_id).toBe(sprint.id);
  });

  it('refuses to restore a sprint while a live sprint of the project has its name', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    const old = await tracker.addSprint({ name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-10' });
    await tracker.removeSprint('Sprint 1');
    await tracker.addSprint({ name: 'Sprint 1', start_date: '2027-01-01', end_date: '2027-01-10' });
    expect(await code(tracker.restoreSprint(old.id))).toBe('already_exists');
  });

  it('shares the default lanes and lets a project add its own', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addLane({ project: 'WEB', name: 'QA', status_value: 'qa', position: 4 });
    const lanes = await tracker.listLanes({ project: 'WEB' });
    expect(lanes.map((l) => l.status_value)).toEqual(['backlog', 'todo', 'in_progress', 'qa', 'review', 'done']);
    expect(await code(tracker.addLane({ project: 'WEB', name: 'QA2', status_value: 'qa' }))).toBe('already_exists');
    await tracker.addItem({ item_type: 'task', title: 'One', status: 'qa' });
    expect(await code(tracker.removeLane('qa'))).toBe('has_dependents');
    await tracker.moveItem('WEB-1', { status: 'done' });
    await tracker.removeLane('qa');
    expect((await tracker.listLanes({ project: 'WEB' })).map((l) => l.status_value)).not.toContain('qa');
  });
});

describe.each(DIALECTS)('dependencies, comments and time on %s', (dialect) => {
  it('refuses blocks cycles, self dependencies and duplicates', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B', 'C']) await tracker.addItem({ item_type: 'task', title: t });
    await tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    await tracker.addDependency({ blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-3' });
    expect(await code(tracker.addDependency({ blocking: 'WEB-3', dependency_type: 'blocks', blocked: 'WEB-1' }))).toBe(
      'dependency_cycle',
    );
    expect(await code(tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-1' }))).toBe(
      'self_reference',
    );
    expect(await code(tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' }))).toBe(
      'already_exists',
    );
    // relates_to is not directional and never a cycle
    await tracker.addDependency({ blocking: 'WEB-3', dependency_type: 'relates_to', blocked: 'WEB-1' });
    expect(await code(tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'relates_to', blocked: 'WEB-3' }))).toBe(
      'already_exists',
    );
  });

  it('lists ready items: open, with no open blocker', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B', 'C']) await tracker.addItem({ item_type: 'task', title: t });
    await tracker.editItem('WEB-3', { priority: 'critical' });
    await tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    expect((await tracker.ready()).map((i) => i.key)).toEqual(['WEB-3', 'WEB-1']);
    await tracker.moveItem('WEB-1', { status: 'done' });
    expect((await tracker.ready()).map((i) => i.key)).toEqual(['WEB-3', 'WEB-2']);
  });

  it('removes an item with its dependencies, which then no longer block', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B']) await tracker.addItem({ item_type: 'task', title: t });
    await tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    await tracker.removeItem('WEB-1');
    expect(await tracker.listDependencies('WEB-2')).toEqual([]);
    expect((await tracker.ready()).map((i) => i.key)).toEqual(['WEB-2']);
  });

  it('adds, edits and removes comments', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'A' });
    const c = await tracker.addComment({ item: 'WEB-1', content: 'first' });
    await tracker.editComment(c.id.slice(-12), 'first, edited');
    expect((await tracker.listComments('WEB-1')).map((x) => x.content)).toEqual(['first, edited']);
    await tracker.removeComment(c.id);
    expect(await tracker.listComments('WEB-1')).toEqual([]);
    expect(await code(tracker.addComment({ item: 'WEB-9', content: 'x' }))).toBe('not_found');
  });

  it('stores a short timer in whole seconds rounded up, never as 0s', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'A' });
    const seconds = [];
    for (const ms of [2000, 2400, 400, 0]) {
      await tracker.startTimer({ item: 'WEB-1' });
      clock.advance(ms);
      seconds.push((await tracker.stopTimer()).duration_seconds);
      clock.advance(1000);
    }
    expect(seconds).toEqual([2, 3, 1, 1]);
  });

  it('runs one timer per person and logs durations', async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'A' });
    await tracker.startTimer({ item: 'WEB-1' });
    expect(await code(tracker.startTimer({ item: 'WEB-1' }))).toBe('timer_running');
    clock.advance(90 * 60_000);
    const stopped = await tracker.stopTimer();
    expect(stopped.duration_seconds).toBe(5400);
    expect(stopped.key).toBe('WEB-1');
    expect(await code(tracker.stopTimer())).toBe('no_timer');
    await tracker.addTime({ item: 'WEB-1', duration_seconds: 1800 });
    const details = await tracker.itemDetails('WEB-1');
    expect(details.total_seconds).toBe(7200);
  });

  it('edits time entries: the end follows the start and the duration; honours a version precondition', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'A' });
    const added = await tracker.addTime({ item: 'WEB-1', duration_seconds: 1800, started_at: '2026-11-20T09:00:00Z' });
    const longer = await tracker.editTime(added.id.slice(-12), { duration_seconds: 5400 }, 1);
    expect(longer).toMatchObject({ key: 'WEB-1', version: 2, duration_seconds: 5400, ended_at: '2026-11-20T10:30:00.000Z' });
    const moved = await tracker.editTime(added.id, { started_at: '2026-11-20T13:00:00Z', description: 'review' });
    expect(moved).toMatchObject({
      started_at: '2026-11-20T13:00:00.000Z',
      ended_at: '2026-11-20T14:30:00.000Z',
      duration_seconds: 5400,
      description: 'review',
      version: 3,
    });
    expect(Object.keys(moved.field_updated_at).sort()).toEqual(['description', 'duration_seconds', 'ended_at', 'started_at']);
    expect(await code(tracker.editTime(added.id, { description: 'stale' }, 2))).toBe('version_conflict');
    expect(await code(tracker.editTime(added.id, { duration_seconds: 0 }))).toBe('validation_failed');
    expect((await tracker.editTime(added.id, { description: null })).description).toBeNull();
    expect((await tracker.getTimeEntry(added.id.slice(-8))).version).toBe(4);
  });

  it("refuses to set a running timer's duration, but moves its start; deleting it discards it", async () => {
    const { tracker, clock } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    await tracker.addItem({ item_type: 'task', title: 'A' });
    const running = await tracker.startTimer({ item: 'WEB-1' });
    expect(await code(tracker.editTime(running.id, { duration_seconds: 600 }))).toBe('timer_running');
    const earlier = new Date(clock() - 15 * 60_000).toISOString();
    const moved = await tracker.editTime(running.id, { started_at: earlier, description: 'forgot to start' });
    expect(moved).toMatchObject({ started_at: earlier, ended_at: null, duration_seconds: null, version: 2 });
    const future = new Date(clock() + 60_000).toISOString();
    expect(await code(tracker.editTime(running.id, { started_at: future }))).toBe('validation_failed');
    clock.advance(5 * 60_000);
    expect((await tracker.stopTimer()).duration_seconds).toBe(20 * 60);

    await tracker.startTimer({ item: 'WEB-1' });
    const [, again] = await tracker.listTime();
    const removed = await tracker.removeTime(again!.id.slice(-12));
    expect(removed).toMatchObject({ key: 'WEB-1' });
    expect(removed.deleted_at).not.toBeNull();
    expect(await code(tracker.stopTimer())).toBe('no_timer');
    expect((await tracker.listTime()).map((t) => t.id)).toEqual([running.id]);
    expect(await code(tracker.getTimeEntry(again!.id))).toBe('not_found');
    expect(await code(tracker.editTime(again!.id, { description: 'x' }))).toBe('not_found');
    expect(await code(tracker.removeTime('abcdef0123'))).toBe('not_found');
  });

  it('gets single lanes, comments, dependencies and time entries by id, id tail (and lanes by status)', async () => {
    const { tracker } = await freshTracker(dialect);
    await tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const t of ['A', 'B']) await tracker.addItem({ item_type: 'task', title: t });
    const lane = await tracker.addLane({ project: 'WEB', name: 'QA', status_value: 'qa' });
    const comment = await tracker.addComment({ item: 'WEB-1', content: 'hi' });
    const dep = await tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    const entry = await tracker.addTime({ item: 'WEB-2', duration_seconds: 60 });
    expect(await tracker.getLane('qa')).toEqual(lane);
    expect(await tracker.getLane(lane.id.slice(-6))).toEqual(lane);
    expect(await tracker.getComment(comment.id.slice(-12))).toEqual(comment);
    expect(await tracker.getDependency(dep.id)).toEqual(dep);
    expect(await tracker.getTimeEntry(entry.id.slice(-12))).toEqual(entry);
    await tracker.removeComment(comment.id);
    expect(await code(tracker.getComment(comment.id))).toBe('not_found');
    expect(await code(tracker.getDependency('0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d'))).toBe('not_found');
    expect(await code(tracker.getLane('nowhere'))).toBe('not_found');
  });
});
