import type { Sprint } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { TrackerContext } from './context.js';
import { toView } from './items.js';
import { lanesOf } from './lanes.js';
import { defaultProject, projectKeys, resolveProject, resolveSprint } from './refs.js';
import type { Board, WorkItemView } from './tracker.js';

/**
 * Items by lane for one project: the given sprint, else the active sprint, else every item.
 * Within a lane, items are in their board order.
 */
export async function board(tx: Store, query: { project?: string; sprint?: string }): Promise<Board> {
  const project = await defaultProject(tx, query.project);
  let sprint: Sprint | null = null;
  if (query.sprint !== undefined) sprint = await resolveSprint(tx, query.sprint, project.id);
  else {
    const active = await tx.list('sprints', { where: { project_id: project.id, status: 'active' } });
    if (active.length === 1) sprint = active[0]!;
  }
  const lanes = await lanesOf(tx, project.id);
  const items = await tx.list('work_items', {
    where: { project_id: project.id, ...(sprint ? { sprint_id: sprint.id } : {}) },
    orderBy: [
      ['position', 'asc'],
      ['item_number', 'asc'],
    ],
  });
  const keys = await projectKeys(tx);
  const byStatus = new Map<string, WorkItemView[]>(lanes.map((l) => [l.status_value, []]));
  const unplaced: WorkItemView[] = [];
  for (const item of items) (byStatus.get(item.status) ?? unplaced).push(toView(keys, item));
  return {
    project,
    sprint,
    columns: lanes.map((lane) => ({ lane, items: byStatus.get(lane.status_value)! })),
    unplaced,
  };
}

export async function ready(
  ctx: TrackerContext,
  tx: Store,
  query: { project?: string; limit?: number } = {},
): Promise<WorkItemView[]> {
  const projectId = query.project === undefined ? undefined : (await resolveProject(tx, query.project)).id;
  const items = await tx.readyItems({
    ...(projectId === undefined ? {} : { projectId }),
    doneStatuses: ctx.doneStatuses,
    limit: query.limit ?? 100,
  });
  const keys = await projectKeys(tx);
  return items.map((i) => toView(keys, i));
}
