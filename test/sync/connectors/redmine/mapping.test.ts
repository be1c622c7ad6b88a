import { describe, expect, it } from 'vitest';
import {
  type AnyRecord,
  type Comment,
  type Dependency,
  type Sprint,
  type TimeEntry,
  type WorkItem,
} from '../../../../src/domain/index.js';
import {
  commentMapping,
  dependencyMapping,
  sprintMapping,
  timeEntryMapping,
  trackerVocabulary,
  workItemMapping,
  type Mapping,
  type SyncedFields,
  type SyncedType,
} from '../../../../src/sync/connectors/index.js';
import { REDMINE_VOCABULARY } from '../../../../src/sync/connectors/redmine/vocabulary.js';
import { commentRecord, dependencyRecord, itemRecord, sprintRecord, timeEntryRecord } from '../../../helpers/records.js';

const ITEM = '01929b6a-0000-7000-8000-000000000001';
const OTHER = '01929b6a-0000-7000-8000-000000000002';
const PARENT = '01929b6a-0000-7000-8000-000000000003';
const SPRINT = '01929b6a-0000-7000-8000-000000000010';

const LANES = ['backlog', 'todo', 'in_progress', 'review', 'done'];

const item = (extra: Partial<WorkItem> = {}) => itemRecord({ id: ITEM, parent_id: PARENT, sprint_id: SPRINT, ...extra });
const sprint = (extra: Partial<Sprint> = {}) => sprintRecord({ id: SPRINT, ...extra });
const dependency = (extra: Partial<Dependency> = {}) =>
  dependencyRecord({ blocking_item_id: ITEM, blocked_item_id: OTHER, ...extra });
const comment = (extra: Partial<Comment> = {}) => commentRecord({ work_item_id: ITEM, ...extra });
const timeEntry = (extra: Partial<TimeEntry> = {}) => timeEntryRecord({ work_item_id: ITEM, ...extra });

type Maps = Record<SyncedType, Mapping>;

/** The Redmine connector's mappings, with the connection's maps and the project's lanes. */
function maps(extra: { type?: Record<string, string>; status?: Record<string, string>; localStatuses?: string[] } = {}): Maps {
  const vocabulary = trackerVocabulary({
    ...REDMINE_VOCABULARY,
    mapType: extra.type ?? {},
    mapStatus: extra.status ?? {},
    localStatuses: extra.localStatuses ?? LANES,
    isClosed: (status) => ['Closed', 'Rejected'].includes(status),
  });
  return {
    sprints: sprintMapping({ goal: true, start: false, open: true }),
    work_items: workItemMapping(vocabulary),
    dependencies: dependencyMapping,
    comments: commentMapping,
    time_entries: timeEntryMapping,
  };
}

function project(type: SyncedType, record: AnyRecord, m: Maps): SyncedFields | null {
  return m[type].project(record as never);
}

function toLocal(type: SyncedType, fields: SyncedFields, current: AnyRecord | undefined, m: Maps) {
  return m[type].toLocal(fields, current as never);
}

/** project, then toLocal against the same record: the patch must not change the record. */
function roundTrip(type: SyncedType, record: AnyRecord, m = maps()) {
  const fields = project(type, record, m);
  if (fields === null) throw new Error('not synced');
  const patch = toLocal(type, fields, record, m);
  return { fields, patch, after: { ...record, ...patch } as AnyRecord };
}

describe('Redmine mapping round trips', () => {
  it.each<[SyncedType, AnyRecord]>([
    ['sprints', sprint()],
    ['sprints', sprint({ status: 'planned', goal: null })],
    ['sprints', sprint({ status: 'completed' })],
    ['sprints', sprint({ status: 'cancelled' })],
    ['work_items', item()],
    ['work_items', item({ item_type: 'epic', status: 'backlog', priority: 'low', parent_id: null, sprint_id: null })],
    ['work_items', item({ item_type: 'task', status: 'done', priority: 'critical', description: null })],
    ['work_items', item({ status: 'review', priority: 'medium' })],
    ['dependencies', dependency()],
    ['dependencies', dependency({ dependency_type: 'relates_to' })],
    ['comments', comment()],
    ['time_entries', timeEntry()],
  ])('%s: project then toLocal leaves the record as it was (%#)', (type, record) => {
    const { fields, patch, after } = roundTrip(type, record);
    expect(after).toEqual(record);
    expect(project(type, after, maps())).toEqual(fields);
    expect(Object.keys(patch).length).toBeGreaterThan(0);
  });

  it('projects a work item into Redmine terms', () => {
    expect(project('work_items', item(), maps())).toEqual({
      title: 'Checkout page',
      description: 'Pay by card',
      tracker: 'Support',
      status: 'In Progress',
      priority: 'High',
      parent_id: PARENT,
      sprint_id: SPRINT,
    });
  });

  it('projects a missing description or goal as empty text and reads empty text back as null', () => {
    expect(project('work_items', item({ description: null }), maps())?.description).toBe('');
    expect(project('sprints', sprint({ goal: null }), maps())?.goal).toBe('');
    const fields = project('work_items', item(), maps())!;
    expect(toLocal('work_items', { ...fields, description: '' }, item(), maps()).description).toBeNull();
    expect(toLocal('sprints', { name: 'S', goal: '', due: '2026-11-27', open: true }, undefined, maps()).goal).toBeNull();
  });
});

describe('work item statuses', () => {
  it('keeps a local status that already maps to the remote one', () => {
    // backlog and todo both go to New: todo must not turn into backlog on the way back
    const local = item({ status: 'todo' });
    const fields = project('work_items', local, maps())!;
    expect(fields.status).toBe('New');
    expect(toLocal('work_items', fields, local, maps()).status).toBe('todo');
  });

  it('takes the first local status in board order for a remote status several map to', () => {
    const fields = { ...project('work_items', item(), maps())!, status: 'New' };
    expect(toLocal('work_items', fields, undefined, maps()).status).toBe('backlog');
    expect(toLocal('work_items', fields, item({ status: 'in_progress' }), maps()).status).toBe('backlog');
    expect(toLocal('work_items', fields, undefined, maps({ localStatuses: ['todo', 'backlog'] })).status).toBe('todo');
  });

  it('changes the status when the remote one maps elsewhere', () => {
    const fields = { ...project('work_items', item(), maps())!, status: 'Feedback' };
    expect(toLocal('work_items', fields, item({ status: 'todo' }), maps()).status).toBe('review');
  });

  it('maps an unknown remote status to the first local status', () => {
    const fields = { ...project('work_items', item(), maps())!, status: 'Resolved' };
    const lanes = ['icebox', 'doing', 'shipped'];
    expect(toLocal('work_items', fields, undefined, maps({ localStatuses: lanes })).status).toBe('icebox');
    expect(toLocal('work_items', fields, item({ status: 'done' }), maps()).status).toBe('backlog');
  });

  it('maps an unknown closed remote status to the last local status', () => {
    const fields = { ...project('work_items', item(), maps())!, status: 'Rejected' };
    const lanes = ['icebox', 'doing', 'shipped'];
    expect(toLocal('work_items', fields, undefined, maps({ localStatuses: lanes })).status).toBe('shipped');
    expect(toLocal('work_items', fields, item({ status: 'todo' }), maps()).status).toBe('done');
  });

  it('uses a configured status map both ways', () => {
    const m = maps({ status: { ...REDMINE_VOCABULARY.statuses, review: 'Resolved' } });
    expect(project('work_items', item({ status: 'review' }), m)?.status).toBe('Resolved');
    const fields = { ...project('work_items', item(), m)!, status: 'Resolved' };
    expect(toLocal('work_items', fields, undefined, m).status).toBe('review');
  });

  it('projects a local status missing from the map as New, or Closed for done', () => {
    const m = maps({ status: { todo: 'New' } });
    expect(project('work_items', item({ status: 'blocked' }), m)?.status).toBe('New');
    expect(project('work_items', item({ status: 'done' }), m)?.status).toBe('Closed');
  });

  // A lane the map does not name goes out as New; a pull of another field must not move the item.
  it('keeps a custom lane status the map does not name across a round trip', () => {
    const m = maps({ localStatuses: ['backlog', 'todo', 'blocked', 'in_progress', 'review', 'done'] });
    const local = item({ status: 'blocked' });
    const fields = project('work_items', local, m)!;
    expect(toLocal('work_items', { ...fields, title: 'Renamed in Redmine' }, local, m).status).toBe('blocked');
  });
});

describe('work item trackers and priorities', () => {
  it('maps trackers back to item types, task for an unknown one', () => {
    const fields = project('work_items', item(), maps())!;
    expect(toLocal('work_items', { ...fields, tracker: 'Feature' }, undefined, maps()).item_type).toBe('epic');
    expect(toLocal('work_items', { ...fields, tracker: 'Support' }, undefined, maps()).item_type).toBe('story');
    expect(toLocal('work_items', { ...fields, tracker: 'Bug' }, undefined, maps()).item_type).toBe('task');
    expect(toLocal('work_items', { ...fields, tracker: 'Chore' }, item({ item_type: 'epic' }), maps()).item_type).toBe('task');
  });

  it('keeps a local item type that already maps to the tracker', () => {
    const m = maps({ type: { epic: 'Feature', story: 'Feature', task: 'Bug' } });
    const local = item({ item_type: 'story' });
    const fields = project('work_items', local, m)!;
    expect(fields.tracker).toBe('Feature');
    expect(toLocal('work_items', fields, local, m).item_type).toBe('story');
    expect(toLocal('work_items', fields, undefined, m).item_type).toBe('epic');
  });

  it.each([
    ['low', 'Low'],
    ['medium', 'Normal'],
    ['high', 'High'],
    ['critical', 'Urgent'],
  ] as const)('projects priority %s as %s', (priority, remote) => {
    expect(project('work_items', item({ priority }), maps())?.priority).toBe(remote);
  });

  it.each([
    ['Low', 'low'],
    ['Normal', 'medium'],
    ['High', 'high'],
    ['Urgent', 'critical'],
    ['Immediate', 'critical'],
    ['Whenever', 'medium'],
  ])('reads Redmine priority %s as %s', (remote, priority) => {
    const fields = { ...project('work_items', item(), maps())!, priority: remote };
    expect(toLocal('work_items', fields, undefined, maps()).priority).toBe(priority);
    expect(toLocal('work_items', fields, item({ priority: 'low' }), maps()).priority).toBe(remote === 'Low' ? 'low' : priority);
  });

  it('reads missing references as null', () => {
    const { parent_id: _p, sprint_id: _s, ...fields } = project('work_items', item(), maps())!;
    const patch = toLocal('work_items', fields, undefined, maps());
    expect(patch.parent_id).toBeNull();
    expect(patch.sprint_id).toBeNull();
  });
});

describe('sprints', () => {
  it.each([
    ['planned', true],
    ['active', true],
    ['completed', false],
    ['cancelled', false],
  ] as const)('projects a %s sprint as open: %s', (status, open) => {
    expect(project('sprints', sprint({ status }), maps())).toEqual({
      name: 'Sprint 1',
      goal: 'Ship checkout',
      due: '2026-11-27',
      open,
    });
  });

  it('reads a new open version as an active sprint and a closed one as completed', () => {
    const f = { name: 'S', goal: 'G', due: '2026-11-27', open: true };
    expect(toLocal('sprints', f, undefined, maps()).status).toBe('active');
    expect(toLocal('sprints', { ...f, open: false }, undefined, maps()).status).toBe('completed');
  });

  it('keeps a local status that agrees with open or closed', () => {
    const f = { name: 'S', goal: 'G', due: '2026-11-27', open: true };
    expect(toLocal('sprints', f, sprint({ status: 'planned' }), maps()).status).toBe('planned');
    expect(toLocal('sprints', { ...f, open: false }, sprint({ status: 'cancelled' }), maps()).status).toBe('cancelled');
  });

  it('closes an open sprint and reopens a finished one', () => {
    const f = { name: 'S', goal: 'G', due: '2026-11-27', open: true };
    expect(toLocal('sprints', { ...f, open: false }, sprint({ status: 'active' }), maps()).status).toBe('completed');
    expect(toLocal('sprints', { ...f, open: false }, sprint({ status: 'planned' }), maps()).status).toBe('completed');
    expect(toLocal('sprints', f, sprint({ status: 'completed' }), maps()).status).toBe('active');
    expect(toLocal('sprints', f, sprint({ status: 'cancelled' }), maps()).status).toBe('active');
  });

  it('moves the start back to the due date when the due date comes before it', () => {
    const f = { name: 'S', goal: 'G', due: '2026-11-10', open: true };
    expect(toLocal('sprints', f, sprint(), maps())).toMatchObject({ start_date: '2026-11-10', end_date: '2026-11-10' });
    expect(toLocal('sprints', { ...f, due: '2026-12-04' }, sprint(), maps())).toMatchObject({
      start_date: '2026-11-16',
      end_date: '2026-12-04',
    });
  });

  it('starts a new sprint on its due date', () => {
    const f = { name: 'S', goal: 'G', due: '2026-11-27', open: true };
    expect(toLocal('sprints', f, undefined, maps())).toMatchObject({ start_date: '2026-11-27', end_date: '2026-11-27' });
  });

  it('keeps the local dates when the version has no due date', () => {
    const f = { name: 'S', goal: 'G', due: null, open: true };
    expect(toLocal('sprints', f, sprint(), maps())).toMatchObject({ start_date: '2026-11-16', end_date: '2026-11-27' });
    const fresh = toLocal('sprints', f, undefined, maps());
    expect(fresh).not.toHaveProperty('end_date');
    expect(fresh).not.toHaveProperty('start_date');
  });
});

describe('dependencies', () => {
  it('maps blocks and relates_to to Redmine relations and back', () => {
    expect(project('dependencies', dependency(), maps())).toEqual({ relation: 'blocks', blocking: ITEM, blocked: OTHER });
    expect(project('dependencies', dependency({ dependency_type: 'relates_to' }), maps())?.relation).toBe('relates');
    const f = { relation: 'blocks', blocking: ITEM, blocked: OTHER };
    expect(toLocal('dependencies', f, undefined, maps())).toEqual({
      dependency_type: 'blocks',
      blocking_item_id: ITEM,
      blocked_item_id: OTHER,
    });
    expect(toLocal('dependencies', { ...f, relation: 'precedes' }, undefined, maps()).dependency_type).toBe('relates_to');
  });
});

describe('time entries', () => {
  it('does not sync a running timer', () => {
    expect(project('time_entries', timeEntry({ ended_at: null, duration_seconds: null }), maps())).toBeNull();
    expect(project('time_entries', timeEntry({ ended_at: null }), maps())).toBeNull();
  });

  it('projects the duration as hours and the start as a day', () => {
    expect(project('time_entries', timeEntry(), maps())).toEqual({
      work_item_id: ITEM,
      hours: 1.5,
      spent_on: '2026-11-21',
      description: 'Pairing',
    });
  });

  it.each([
    [3600, 1],
    [1000, 0.28],
    [900, 0.25],
    [20, 0.01],
    [17, 0],
    [0, 0],
    [36_018, 10.01],
  ])('rounds %i seconds to %s hours', (seconds, hours) => {
    expect(project('time_entries', timeEntry({ duration_seconds: seconds }), maps())?.hours).toBe(hours);
  });

  it('reads hours back as whole seconds, ending that long after the start', () => {
    const patch = toLocal(
      'time_entries',
      { work_item_id: ITEM, hours: 0.28, spent_on: '2026-11-21', description: '' },
      timeEntry(),
      maps(),
    );
    expect(patch).toEqual({
      work_item_id: ITEM,
      duration_seconds: 1008,
      started_at: '2026-11-21T14:30:00.000Z',
      ended_at: '2026-11-21T14:46:48.000Z',
      description: null,
    });
  });

  it('keeps the time of day when the day changes', () => {
    const f = { work_item_id: ITEM, hours: 1.5, spent_on: '2026-11-23', description: 'Pairing' };
    expect(toLocal('time_entries', f, timeEntry(), maps())).toMatchObject({
      started_at: '2026-11-23T14:30:00.000Z',
      ended_at: '2026-11-23T16:00:00.000Z',
    });
  });

  it('starts a new entry at 09:00 UTC on its day', () => {
    const f = { work_item_id: ITEM, hours: 2, spent_on: '2026-11-23', description: 'Review' };
    expect(toLocal('time_entries', f, undefined, maps())).toMatchObject({
      duration_seconds: 7200,
      started_at: '2026-11-23T09:00:00.000Z',
      ended_at: '2026-11-23T11:00:00.000Z',
    });
  });

  it('settles after one lossy round trip', () => {
    const { fields, after } = roundTrip('time_entries', timeEntry({ duration_seconds: 1000 }));
    expect((after as TimeEntry).duration_seconds).toBe(1008);
    expect(roundTrip('time_entries', after).fields).toEqual(fields);
  });
});
