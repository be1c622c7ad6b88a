import {
  AlreadyExistsError,
  InvariantError,
  assertSprintDates,
  newId,
  newMeta,
  newSprintInput,
  parseInput,
  sprintPatch,
  type NewSprintInput,
  type Sprint,
  type SprintPatch,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { deleteRecord, patchRecord } from './records.js';
import { defaultProject, requireById, resolveProject, resolveSprint } from './refs.js';
import type { SprintQuery } from './tracker.js';

async function assertNameFree(tx: Store, projectId: string, name: string, except?: string): Promise<void> {
  const sprints = await tx.list('sprints', { where: { project_id: projectId } });
  const clash = sprints.find((s) => s.id !== except && s.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new AlreadyExistsError(`a sprint named "${clash.name}" already exists in this project`, 'name');
}

export async function addSprint(ctx: TrackerContext, tx: Store, raw: NewSprintInput): Promise<Sprint> {
  const input = parseInput(newSprintInput, raw);
  assertSprintDates(input.start_date, input.end_date);
  const project = await defaultProject(tx, input.project);
  await assertNameFree(tx, project.id, input.name);
  const sprint: Sprint = {
    id: newId(),
    project_id: project.id,
    name: input.name,
    goal: input.goal ?? null,
    start_date: input.start_date,
    end_date: input.end_date,
    status: input.status ?? 'planned',
    ...newMeta(authorOf(ctx)),
  };
  await tx.insert('sprints', sprint);
  return sprint;
}

export async function listSprints(tx: Store, query: SprintQuery = {}): Promise<Sprint[]> {
  const projectId = query.project === undefined ? undefined : (await resolveProject(tx, query.project)).id;
  return tx.list('sprints', {
    where: {
      ...(projectId === undefined ? {} : { project_id: projectId }),
      ...(query.status?.length ? { status: query.status as Sprint['status'][] } : {}),
    },
    orderBy: [
      ['project_id', 'asc'],
      ['start_date', 'asc'],
      ['name', 'asc'],
    ],
  });
}

export async function getSprint(tx: Store, ref: string, project?: string): Promise<Sprint> {
  const projectId = project === undefined ? undefined : (await resolveProject(tx, project)).id;
  return resolveSprint(tx, ref, projectId);
}

export async function editSprint(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  raw: SprintPatch,
  expectedVersion?: number,
): Promise<Sprint> {
  const patch = parseInput(sprintPatch, raw);
  const sprint = await resolveSprint(tx, ref);
  assertSprintDates(patch.start_date ?? sprint.start_date, patch.end_date ?? sprint.end_date);
  if (patch.name !== undefined) await assertNameFree(tx, sprint.project_id, patch.name, sprint.id);
  return patchRecord(ctx, tx, 'sprints', sprint, patch, expectedVersion);
}

/**
 * Deletes a sprint; its items go back to having no sprint. Which items they were is kept
 * (locally) for restoreSprint.
 */
export async function removeSprint(ctx: TrackerContext, tx: Store, ref: string): Promise<Sprint> {
  const sprint = await resolveSprint(tx, ref);
  const at = new Date(ctx.clock()).toISOString();
  const items = await tx.list('work_items', { where: { sprint_id: sprint.id } });
  for (const item of items) await patchRecord(ctx, tx, 'work_items', item, { sprint_id: null });
  await tx.addClearedLinks(items.map((i) => ({ deleted_id: sprint.id, deleted_at: at, work_item_id: i.id, field: 'sprint_id' })));
  return deleteRecord(ctx, tx, 'sprints', sprint, at);
}

/**
 * Undoes removeSprint: the sprint lives again and takes back the items its delete took out of
 * it, those still alive and without a sprint (an item put in another sprint since stays there).
 * A live sprint is returned as it is.
 */
export async function restoreSprint(ctx: TrackerContext, tx: Store, ref: string): Promise<Sprint> {
  const sprint = await resolveSprint(tx, ref, undefined, { deleted: true });
  if (sprint.deleted_at === null) return sprint;
  const project = await requireById(tx, 'projects', sprint.project_id, { deleted: true });
  if (project.deleted_at !== null) {
    throw new InvariantError('deleted_reference', `cannot restore sprint ${sprint.name}: its project ${project.key} is deleted`);
  }
  await assertNameFree(tx, sprint.project_id, sprint.name, sprint.id);
  const links = await tx.takeClearedLinks(sprint.id, sprint.deleted_at);
  const restored = await patchRecord(ctx, tx, 'sprints', sprint, { deleted_at: null });
  const items = await tx.getMany(
    'work_items',
    links.map((l) => l.work_item_id),
  );
  for (const item of items.values()) {
    if (item.deleted_at === null && item.sprint_id === null)
      await patchRecord(ctx, tx, 'work_items', item, { sprint_id: sprint.id });
  }
  return restored;
}
