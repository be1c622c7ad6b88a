import { newId, type Project, type WorkItem } from '../../src/domain/index.js';

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
