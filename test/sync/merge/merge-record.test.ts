import { describe, expect, it } from 'vitest';
import { applyPatch, type WorkItem } from '../../../src/domain/index.js';
import { mergeRecord } from '../../../src/sync/index.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

function item(extra: Partial<WorkItem> = {}): WorkItem {
  return {
    id: '01929b6a-0000-7000-8000-000000000001',
    project_id: '01929b6a-0000-7000-8000-0000000000aa',
    parent_id: null,
    item_type: 'task',
    item_number: 1,
    title: 'Original',
    description: null,
    status: 'todo',
    priority: 'medium',
    position: 1024,
    story_points: null,
    assignee_id: null,
    sprint_id: null,
    version: 1,
    created_by: 'a@x',
    updated_by: 'a@x',
    created_at: new Date(T0).toISOString(),
    updated_at: new Date(T0).toISOString(),
    deleted_at: null,
    field_updated_at: {},
    ...extra,
  };
}

const edit = (record: WorkItem, patch: Partial<WorkItem>, minutes: number, actor = 'a@x') =>
  applyPatch(record, patch, { actor, now: T0 + minutes * 60_000 })!;

describe('merging one record', () => {
  it('keeps both edits to different fields', () => {
    const base = item();
    const ours = edit(base, { title: 'Ours' }, 1);
    const theirs = edit(base, { status: 'done' }, 2, 'b@x');
    const m = mergeRecord('work_items', base, ours, theirs);
    expect(m.record).toMatchObject({ title: 'Ours', status: 'done', version: 2 });
    expect(m.conflicts).toEqual([]);
    expect(m.same).toBe(false);
    expect(m.taken).toBe(false);
  });

  it('decides the same field by the newer write and records the conflict', () => {
    const base = item();
    const ours = edit(base, { title: 'Ours' }, 5);
    const theirs = edit(base, { title: 'Theirs' }, 3, 'b@x');
    const m = mergeRecord('work_items', base, ours, theirs);
    expect(m.record.title).toBe('Ours');
    expect(m.same).toBe(true);
    expect(m.conflicts).toHaveLength(1);
    expect(m.conflicts[0]).toMatchObject({ field: 'title', ours: 'Ours', theirs: 'Theirs', winner: 'ours' });
  });

  it('is symmetric: both sides of a merge reach the same record', () => {
    const base = item();
    const a = edit(edit(base, { title: 'A' }, 1), { priority: 'high' }, 4);
    const b = edit(edit(base, { title: 'B' }, 2, 'b@x'), { status: 'review' }, 3, 'b@x');
    expect(mergeRecord('work_items', base, a, b).record).toEqual(mergeRecord('work_items', base, b, a).record);
  });

  it('breaks a tie of write times by value, the same way on both sides', () => {
    const base = item();
    const ours = edit(base, { title: 'Alpha' }, 1);
    const theirs = edit(base, { title: 'Beta' }, 1, 'b@x');
    const one = mergeRecord('work_items', base, ours, theirs).record;
    const two = mergeRecord('work_items', base, theirs, ours).record;
    expect(one.title).toBe('Beta');
    expect(two).toEqual(one);
  });

  it('treats a change on one side only as an update, not a conflict', () => {
    const base = item();
    const theirs = edit(base, { title: 'Theirs' }, 1);
    const m = mergeRecord('work_items', base, base, theirs);
    expect(m.taken).toBe(true);
    expect(m.conflicts).toEqual([]);
  });

  it('lets an edit made after a delete bring the record back, and a delete after an edit win', () => {
    const base = item();
    const deleted = edit(base, { deleted_at: new Date(T0 + 2 * 60_000).toISOString() }, 2);
    const editedLater = edit(base, { title: 'Later' }, 3, 'b@x');
    const editedEarlier = edit(base, { title: 'Earlier' }, 1, 'b@x');
    const revived = mergeRecord('work_items', base, deleted, editedLater).record;
    expect(revived.deleted_at).toBeNull();
    expect(revived.title).toBe('Later');
    const gone = mergeRecord('work_items', base, deleted, editedEarlier).record;
    expect(gone.deleted_at).not.toBeNull();
    expect(gone.title).toBe('Earlier');
    expect(mergeRecord('work_items', base, editedLater, deleted).record).toEqual(revived);
  });

  it('without a base, keeps the newer value per field and reports fields both sides edited', () => {
    const base = item();
    const ours = edit(base, { title: 'Ours', status: 'review' }, 4);
    const theirs = edit(base, { title: 'Theirs' }, 6, 'b@x');
    const m = mergeRecord('work_items', undefined, ours, theirs);
    expect(m.record).toMatchObject({ title: 'Theirs', status: 'review' });
    expect(m.conflicts.map((c) => c.field)).toEqual(['title']);
  });

  it('merges counters by taking the larger value', () => {
    const base = { ...item(), next_work_item_number: 5 };
    const project = {
      id: base.id,
      key: 'WEB',
      title: 'Web',
      description: null,
      status: 'active' as const,
      next_work_item_number: 5,
      version: 1,
      created_by: 'a',
      updated_by: 'a',
      created_at: base.created_at,
      updated_at: base.updated_at,
      deleted_at: null,
      field_updated_at: {},
    };
    const m = mergeRecord(
      'projects',
      project,
      { ...project, next_work_item_number: 9 },
      { ...project, next_work_item_number: 7 },
    );
    expect(m.record.next_work_item_number).toBe(9);
  });

  it('is idempotent: merging a record with itself or with the merge result changes nothing', () => {
    const base = item();
    const a = edit(base, { title: 'A' }, 1);
    const b = edit(base, { status: 'done' }, 2);
    const merged = mergeRecord('work_items', base, a, b).record;
    expect(mergeRecord('work_items', base, merged, merged).same).toBe(true);
    expect(mergeRecord('work_items', base, merged, a).same).toBe(true);
    expect(mergeRecord('work_items', base, merged, b).same).toBe(true);
  });
});
