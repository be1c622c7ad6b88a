import {
  AlreadyExistsError,
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
import { defaultProject, resolveProject, resolveSprint } from './refs.js';
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

/** Deletes a sprint; its items go back to having no sprint. */
export async function removeSprint(ctx: TrackerContext, tx: Store, ref: string): Promise<Sprint> {
  const sprint = await resolveSprint(tx, ref);
  for (const item of await tx.list('work_items', { where: { sprint_id: sprint.id } })) {
    await patchRecord(ctx, tx, 'work_items', item, { sprint_id: null });
  }
  return deleteRecord(ctx, tx, 'sprints', sprint);
}
