import { NotFoundError, type Sprint } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { person, type TrackerContext } from './context.js';
import { toView } from './items.js';
import { lanesOf } from './lanes.js';
import { defaultProject, projectKeys, resolveProject, resolveSprint } from './refs.js';
import type { Board, ReadyFilter, WorkItemView } from './tracker.js';

/** The sprint a board shows; `all` and `none` (when no sprint is called that) for no sprint. */
async function boardSprint(tx: Store, projectId: string, ref: string | undefined): Promise<Sprint | null | 'all' | 'none'> {
  if (ref === undefined) {
    const active = await tx.list('sprints', { where: { project_id: projectId, status: 'active' } });
    return active.length === 1 ? active[0]! : null;
  }
  try {
    return await resolveSprint(tx, ref, projectId);
  } catch (error) {
    const scope = ref.trim().toLowerCase();
    if (error instanceof NotFoundError && (scope === 'all' || scope === 'none')) return scope;
    throw error;
  }
}

/**
 * Items by lane for one project: the given sprint (`all`: every item, `none`: those in no
 * sprint), else the active sprint, else every item. Within a lane, items are in board order.
 */
export async function board(tx: Store, query: { project?: string; sprint?: string }): Promise<Board> {
  const project = await defaultProject(tx, query.project);
  const scope = await boardSprint(tx, project.id, query.sprint);
  const sprint = typeof scope === 'string' ? null : scope;
  const lanes = await lanesOf(tx, project.id);
  const items = await tx.list('work_items', {
    where: { project_id: project.id, ...(sprint ? { sprint_id: sprint.id } : scope === 'none' ? { sprint_id: null } : {}) },
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

export async function ready(ctx: TrackerContext, tx: Store, query: ReadyFilter = {}): Promise<WorkItemView[]> {
  const projectId = query.project === undefined ? undefined : (await resolveProject(tx, query.project)).id;
  let sprintId: string | null | undefined;
  if (query.sprint !== undefined)
    sprintId = query.sprint === 'none' ? null : (await resolveSprint(tx, query.sprint, projectId)).id;
  const items = await tx.readyItems({
    ...(projectId === undefined ? {} : { projectId }),
    ...(query.assignee === undefined ? {} : { assigneeId: query.assignee === 'none' ? null : person(ctx, query.assignee) }),
    ...(sprintId === undefined ? {} : { sprintId }),
    doneStatuses: ctx.doneStatuses,
    limit: query.limit ?? 100,
  });
  const keys = await projectKeys(tx);
  return items.map((i) => toView(keys, i));
}
