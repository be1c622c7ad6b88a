import { describe, expect, it } from 'vitest';
import { planRenumbering, type Dependency } from '../../../src/domain/index.js';
import { planDependencyRepairs, planParentRepairs, planProjectKeys } from '../../../src/sync/merge/repairs.js';

const at = (m: number) => new Date(Date.parse('2026-11-21T10:00:00.000Z') + m * 60_000).toISOString();
const meta = (m: number) => ({
  version: 1,
  created_by: 'a',
  updated_by: 'a',
  created_at: at(m),
  updated_at: at(m),
  deleted_at: null,
  field_updated_at: {},
});

describe('repairs after a merge', () => {
  it('renumbers the later of two items with the same number past the highest number', () => {
    const plan = planRenumbering(
      [
        { id: 'b', project_id: 'p', item_number: 7, created_at: at(2) },
        { id: 'a', project_id: 'p', item_number: 7, created_at: at(1) },
        { id: 'c', project_id: 'p', item_number: 9, created_at: at(3) },
      ],
      new Map([['p', 12]]),
    );
    expect(plan).toEqual([{ id: 'b', project_id: 'p', from: 7, to: 13 }]);
  });

  it('gives the later of two projects with one key a numbered key', () => {
    const project = (id: string, m: number) => ({
      id,
      key: 'WEB',
      title: id,
      description: null,
      status: 'active' as const,
      next_work_item_number: 1,
      ...meta(m),
    });
    const plan = planProjectKeys([project('late', 5), project('early', 1)]);
    expect(plan.map((p) => [p.project.id, p.key])).toEqual([['late', 'WEB2']]);
  });

  it('cuts the newest dependency of a blocks cycle and drops repeated dependencies', () => {
    const dep = (
      id: string,
      from: string,
      to: string,
      m: number,
      type: Dependency['dependency_type'] = 'blocks',
    ): Dependency => ({
      id,
      blocking_item_id: from,
      blocked_item_id: to,
      dependency_type: type,
      ...meta(m),
    });
    const repairs = planDependencyRepairs([
      dep('d1', 'a', 'b', 1),
      dep('d2', 'b', 'c', 2),
      dep('d3', 'c', 'a', 3),
      dep('d4', 'a', 'b', 4),
      dep('r1', 'x', 'y', 1, 'relates_to'),
      dep('r2', 'y', 'x', 2, 'relates_to'),
    ]);
    expect(repairs.map((r) => [r.dependency.id, r.reason])).toEqual([
      ['r2', 'duplicate'],
      ['d4', 'duplicate'],
      ['d3', 'cycle'],
    ]);
  });

  it('cuts the most recently set parent link of a loop', () => {
    const cut = planParentRepairs([
      { id: 'a', parent_id: 'b', clock: at(1) },
      { id: 'b', parent_id: 'a', clock: at(2) },
      { id: 'c', parent_id: 'a', clock: at(9) },
    ]);
    expect(cut.map((l) => l.id)).toEqual(['b']);
  });
});
