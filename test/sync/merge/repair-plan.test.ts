import { describe, expect, it } from 'vitest';
import type { Project, Sprint, SwimLane, WorkItem } from '../../../src/domain/index.js';
import {
  applyRepair,
  planContainerRepairs,
  planLaneRepairs,
  planNumberRepairs,
  planSprintNameRepairs,
} from '../../../src/sync/merge/repair-plan.js';
import { conflictRecord } from '../../../src/sync/merge/merge-record.js';

const at = (m: number) => new Date(Date.parse('2026-11-21T10:00:00.000Z') + m * 60_000).toISOString();
const meta = (created: number, updated = created, deleted: number | null = null) => ({
  field_updated_at: (deleted === null ? {} : { deleted_at: at(deleted) }) as Record<string, string>,
  version: 1,
  created_by: 'a',
  updated_by: 'a',
  created_at: at(created),
  updated_at: at(updated),
  deleted_at: deleted === null ? null : at(deleted),
});
const project: Project = {
  id: 'p',
  key: 'WEB',
  title: 'Web',
  description: null,
  status: 'active',
  next_work_item_number: 3,
  ...meta(0),
};
const sprint = (id: string, name: string, created: number, deleted: number | null = null): Sprint => ({
  id,
  project_id: 'p',
  name,
  goal: null,
  start_date: '2026-12-01',
  end_date: '2026-12-14',
  status: 'planned',
  ...meta(created, deleted ?? created, deleted),
});
const item = (id: string, number: number, sprintId: string, movedAt: number): WorkItem => ({
  id,
  project_id: 'p',
  parent_id: null,
  item_type: 'task',
  item_number: number,
  title: id,
  description: null,
  status: 'todo',
  priority: 'medium',
  position: 1,
  story_points: null,
  assignee_id: null,
  sprint_id: sprintId,
  ...meta(0, movedAt),
  field_updated_at: { sprint_id: at(movedAt) },
});
const lane = (id: string, name: string, created: number): SwimLane => ({
  id,
  project_id: null,
  name,
  status_value: 'qa',
  position: 5,
  is_default: false,
  ...meta(created),
});

describe('repairs of records left in deleted containers', () => {
  it('bring a sprint back when an item was put in it after it was deleted, else take the items out', () => {
    const view = {
      projects: [project],
      sprints: [sprint('s1', 'Back', 0, 5), sprint('s2', 'Gone', 0, 5)],
      lanes: [],
      items: [item('i1', 1, 's1', 7), item('i2', 2, 's2', 3)],
    };
    const plan = planContainerRepairs(view);
    expect(plan.map((r) => [r.type, r.id, r.field, r.set])).toEqual([
      ['sprints', 's1', 'deleted_at', { value: null }],
      ['work_items', 'i2', 'sprint_id', { value: null }],
    ]);
    // The same records in another order give the same plan: every replica repairs alike.
    const reversed = { ...view, sprints: [...view.sprints].reverse(), items: [...view.items].reverse() };
    expect(planContainerRepairs(reversed)).toEqual(plan);
    // Stamped just after the writes the decision rests on, not "now".
    const fixed = applyRepair(view.sprints[0]!, plan[0]!);
    expect(fixed.record).toMatchObject({ deleted_at: null, updated_at: at(7).replace('00.000Z', '00.001Z') });
    expect(fixed.conflict).toMatchObject({ field: 'deleted_at', ours: at(5), theirs: null });
  });

  it('delete an item left in a deleted project after its last change, with the project', () => {
    const deleted = { ...project, ...meta(0, 9, 9) };
    const plan = planContainerRepairs({ projects: [deleted], sprints: [], lanes: [], items: [item('i1', 1, 's', 4)] });
    expect(plan.map((r) => [r.type, r.id, r.set])).toEqual([['work_items', 'i1', 'tombstone']]);
  });
});

describe('repairs of names and lanes two clones made alike', () => {
  it('rename the later of two sprints with one name, in any case, past names already taken', () => {
    const plan = planSprintNameRepairs([sprint('b', 'sprint 3', 2), sprint('a', 'Sprint 3', 1), sprint('c', 'Sprint 3 (2)', 0)]);
    expect(plan.map((r) => [r.id, r.set])).toEqual([['b', { value: 'sprint 3 (3)' }]]);
  });

  it('delete the later of two lanes for one status', () => {
    const plan = planLaneRepairs([lane('late', 'Testing', 2), lane('early', 'QA', 1)]);
    expect(plan.map((r) => [r.id, r.set])).toEqual([['late', 'tombstone']]);
  });

  it('record a renumbering as a resolved conflict and a container repair as an open one', () => {
    const [step] = planNumberRepairs(
      [item('first', 2, 's', 1), { ...item('second', 2, 's', 2), ...meta(1) }],
      new Map([['p', 2]]),
      () => 'WEB',
    );
    const renumbered = conflictRecord('work_items', 'second', applyRepair(item('second', 2, 's', 2), step!.repair).conflict);
    expect([renumbered.ours_value, renumbered.theirs_value, renumbered.resolution, renumbered.resolved_value]).toEqual([
      2,
      3,
      'theirs',
      3,
    ]);
    const [lanePlan] = planLaneRepairs([lane('late', 'Testing', 2), lane('early', 'QA', 1)]);
    const tombstoned = conflictRecord('swim_lanes', 'late', applyRepair(lane('late', 'Testing', 2), lanePlan!).conflict);
    expect([tombstoned.resolution, tombstoned.resolved_value]).toEqual([null, null]);
  });
});
