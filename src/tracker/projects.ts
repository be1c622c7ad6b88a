import {
  AlreadyExistsError,
  StateError,
  newId,
  newMeta,
  newProjectInput,
  parseInput,
  projectPatch,
  type NewProjectInput,
  type Project,
  type ProjectPatch,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { deleteRecord, patchRecord } from './records.js';
import { resolveProject } from './refs.js';
import type { ProjectQuery } from './tracker.js';

export async function addProject(ctx: TrackerContext, tx: Store, raw: NewProjectInput): Promise<Project> {
  const input = parseInput(newProjectInput, raw);
  const existing = await tx.projectByKey(input.key);
  if (existing && existing.deleted_at === null) {
    throw new AlreadyExistsError(`project key ${input.key} is already used by "${existing.title}"`, 'key');
  }
  const project: Project = {
    id: newId(),
    key: input.key,
    title: input.title,
    description: input.description ?? null,
    status: 'active',
    next_work_item_number: 1,
    ...newMeta(authorOf(ctx)),
  };
  await tx.insert('projects', project);
  return project;
}

export async function listProjects(tx: Store, query: ProjectQuery = {}): Promise<Project[]> {
  return tx.list('projects', {
    ...(query.all ? {} : { where: { status: 'active' } }),
    orderBy: [['key', 'asc']],
  });
}

export async function editProject(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  raw: ProjectPatch,
  expectedVersion?: number,
): Promise<Project> {
  const patch = parseInput(projectPatch, raw);
  const project = await resolveProject(tx, ref);
  return patchRecord(ctx, tx, 'projects', project, patch, expectedVersion);
}

/** Deletes a project; with live items only when forced, and then everything in it too. */
export async function removeProject(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  options: { force?: boolean } = {},
): Promise<Project> {
  const project = await resolveProject(tx, ref);
  const items = await tx.list('work_items', { where: { project_id: project.id } });
  if (items.length > 0 && !options.force) {
    throw new StateError(
      'has_dependents',
      `project ${project.key} has ${items.length} work item${items.length === 1 ? '' : 's'}: pass --force to delete it with everything in it`,
    );
  }
  const itemIds = items.map((i) => i.id);
  for (const item of items) {
    for (const comment of await tx.list('comments', { where: { work_item_id: item.id } })) {
      await deleteRecord(ctx, tx, 'comments', comment);
    }
    for (const entry of await tx.list('time_entries', { where: { work_item_id: item.id } })) {
      await deleteRecord(ctx, tx, 'time_entries', entry);
    }
  }
  const deps = [
    ...(await tx.list('dependencies', { where: { blocking_item_id: itemIds } })),
    ...(await tx.list('dependencies', { where: { blocked_item_id: itemIds } })),
  ];
  for (const dep of new Map(deps.map((d) => [d.id, d])).values()) await deleteRecord(ctx, tx, 'dependencies', dep);
  for (const item of items) await deleteRecord(ctx, tx, 'work_items', item);
  for (const sprint of await tx.list('sprints', { where: { project_id: project.id } })) {
    await deleteRecord(ctx, tx, 'sprints', sprint);
  }
  for (const lane of await tx.list('swim_lanes', { where: { project_id: project.id } })) {
    await deleteRecord(ctx, tx, 'swim_lanes', lane);
  }
  return deleteRecord(ctx, tx, 'projects', project);
}
