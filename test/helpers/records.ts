import {
  newId,
  newMeta,
  type Comment,
  type Project,
  type Dependency,
  type Sprint,
  type TimeEntry,
  type WorkItem,
} from '../../src/domain/index.js';

/** pm records to hand to connectors and mappings, with fixed meta; each builder takes overrides. */

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const fixedMeta = () => newMeta({ actor: 'alice@example.com', now: T0 });

export const PROJECT_ID = '01929b6a-0000-7000-8000-0000000000aa';

export function sprintRecord(extra: Partial<Sprint> = {}): Sprint {
  return {
    id: newId(),
    project_id: PROJECT_ID,
    name: 'Sprint 1',
    goal: 'Ship checkout',
    start_date: '2026-11-16',
    end_date: '2026-11-27',
    status: 'active',
    ...fixedMeta(),
    ...extra,
  };
}

export function itemRecord(extra: Partial<WorkItem> = {}): WorkItem {
  return {
    id: newId(),
    project_id: PROJECT_ID,
    parent_id: null,
    item_type: 'story',
    item_number: 1,
    title: 'Checkout page',
    description: 'Pay by card',
    status: 'in_progress',
    priority: 'high',
    position: 1024,
    story_points: 3,
    assignee_id: null,
    sprint_id: null,
    ...fixedMeta(),
    ...extra,
  };
}

export function dependencyRecord(
  extra: Partial<Dependency> & Pick<Dependency, 'blocking_item_id' | 'blocked_item_id'>,
): Dependency {
  return { id: newId(), dependency_type: 'blocks', ...fixedMeta(), ...extra };
}

export function commentRecord(extra: Partial<Comment> & Pick<Comment, 'work_item_id'>): Comment {
  return { id: newId(), content: 'Looks good', ...fixedMeta(), ...extra };
}

export function timeEntryRecord(extra: Partial<TimeEntry> & Pick<TimeEntry, 'work_item_id'>): TimeEntry {
  return {
    id: newId(),
    user_id: 'alice@example.com',
    started_at: '2026-11-21T14:30:00.000Z',
    ended_at: '2026-11-21T16:00:00.000Z',
    duration_seconds: 5400,
    description: 'Pairing',
    ...fixedMeta(),
    ...extra,
  };
}

/** One moment for records made by hand in tests. */
export const at = '2026-11-21T10:00:00.000Z';

/** The fields every record has, as a record created at `at` and never edited has them. */
export const meta = {
  version: 1,
  created_by: 'a',
  updated_by: 'a',
  created_at: at,
  updated_at: at,
  deleted_at: null,
  field_updated_at: {},
};

export function project(key: string): Project {
  return { id: newId(), key, title: `Project ${key}`, description: null, status: 'active', next_work_item_number: 1, ...meta };
}

export function item(projectId: string, n: number, extra: Partial<WorkItem> = {}): WorkItem {
  return {
    id: newId(),
    project_id: projectId,
    parent_id: null,
    item_type: 'task',
    item_number: n,
    title: `Item ${n}`,
    description: null,
    status: 'todo',
    priority: 'medium',
    position: n * 1024,
    story_points: null,
    assignee_id: null,
    sprint_id: null,
    ...meta,
    ...extra,
  };
}
