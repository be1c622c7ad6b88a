import {
  AmbiguousRefError,
  ValidationError,
  ENTITIES,
  NotFoundError,
  formatItemKey,
  isUuid,
  looksLikeIdRef,
  normalizeProjectKey,
  parseItemKey,
  type EntityRecords,
  type EntityType,
  type Project,
  type Sprint,
  type WorkItem,
} from '../domain/index.js';
import type { Store } from '../store/index.js';

/**
 * How people name records: projects by key, items by display key (`WEB-12`), sprints by name,
 * everything by id or by the tail of its id that tables show. Tombstones are not found unless
 * `deleted` is asked for.
 */

export interface RefOptions {
  deleted?: boolean;
}

export async function byId<E extends EntityType>(
  store: Store,
  type: E,
  ref: string,
  options: RefOptions = {},
): Promise<EntityRecords[E] | undefined> {
  const id = ref.trim().toLowerCase();
  if (!looksLikeIdRef(id)) return undefined;
  let record: EntityRecords[E] | undefined;
  if (isUuid(id)) record = await store.get(type, id);
  else {
    const ids = await store.idsEndingWith(type, id, 6);
    if (ids.length > 1) throw new AmbiguousRefError(ENTITIES[type].label, ref, ids);
    if (ids.length === 1) record = await store.get(type, ids[0]!);
  }
  if (record && record.deleted_at !== null && !options.deleted) {
    throw new NotFoundError(ENTITIES[type].label, `${ref} (deleted)`);
  }
  return record;
}

export async function requireById<E extends EntityType>(store: Store, type: E, ref: string, options?: RefOptions) {
  const record = await byId(store, type, ref, options);
  if (!record) throw new NotFoundError(ENTITIES[type].label, ref);
  return record;
}

export async function resolveProject(store: Store, ref: string, options: RefOptions = {}): Promise<Project> {
  const key = normalizeProjectKey(ref);
  const byKey = await store.projectByKey(key);
  if (byKey && (byKey.deleted_at === null || options.deleted)) return byKey;
  const found = await byId(store, 'projects', ref, options);
  if (found) return found;
  throw new NotFoundError('project', byKey ? `${ref} (deleted)` : ref);
}

export async function resolveItem(store: Store, ref: string, options: RefOptions = {}): Promise<WorkItem> {
  const parsed = parseItemKey(ref);
  if (parsed) {
    const project = await store.projectByKey(parsed.projectKey);
    if (project) {
      let item = await store.itemByNumber(project.id, parsed.itemNumber);
      if (!item) {
        const aliases = await store.aliasesOf(project.id, parsed.itemNumber);
        if (aliases.length === 1) item = await store.get('work_items', aliases[0]!.work_item_id);
      }
      if (item) {
        if (item.deleted_at !== null && !options.deleted) throw new NotFoundError('work item', `${ref} (deleted)`);
        return item;
      }
    }
    throw new NotFoundError('work item', ref);
  }
  return requireById(store, 'work_items', ref, options);
}

/**
 * A sprint by id, or by name (case-insensitive) or `active` within a project. With `deleted`,
 * a name a live sprint has names that one; otherwise the last deleted sprint of that name.
 */
export async function resolveSprint(store: Store, ref: string, projectId?: string, options: RefOptions = {}): Promise<Sprint> {
  const found = await byId(store, 'sprints', ref, options);
  if (found) return found;
  const where = projectId === undefined ? {} : { project_id: projectId };
  const sprints = await store.list('sprints', { where });
  const wanted = ref.trim().toLowerCase();
  const named = sprints.filter((s) => s.name.toLowerCase() === wanted);
  if (named.length === 0 && options.deleted) {
    const gone = (await store.list('sprints', { where, includeDeleted: true }))
      .filter((s) => s.deleted_at !== null && s.name.toLowerCase() === wanted)
      .sort((a, b) => b.deleted_at!.localeCompare(a.deleted_at!));
    if (gone.length > 0) return gone[0]!;
  }
  if (named.length === 1) return named[0]!;
  if (named.length > 1)
    throw new AmbiguousRefError(
      'sprint',
      ref,
      named.map((s) => s.id),
    );
  if (wanted === 'active' || wanted === 'current') {
    const active = sprints.filter((s) => s.status === 'active');
    if (active.length === 1) return active[0]!;
    if (active.length > 1)
      throw new AmbiguousRefError(
        'sprint',
        ref,
        active.map((s) => s.name),
      );
  }
  throw new NotFoundError('sprint', ref);
}

/** Project id → key, for turning items into display keys. */
export async function projectKeys(store: Store): Promise<Map<string, string>> {
  const projects = await store.list('projects', { includeDeleted: true });
  return new Map(projects.map((p) => [p.id, p.key]));
}

export function keyOf(keys: ReadonlyMap<string, string>, item: WorkItem): string {
  return formatItemKey(keys.get(item.project_id) ?? '?', item.item_number);
}

/** The project to show when none is named: the only live project there is. */
export async function defaultProject(tx: Store, ref: string | undefined): Promise<Project> {
  if (ref !== undefined) return resolveProject(tx, ref);
  const projects = await tx.list('projects', { orderBy: [['key', 'asc']] });
  if (projects.length === 1) return projects[0]!;
  if (projects.length === 0)
    throw new ValidationError([{ path: 'project', message: 'no projects yet: add one with pm project add KEY "Title"' }]);
  throw new ValidationError([
    { path: 'project', message: `several projects exist (${projects.map((p) => p.key).join(', ')}): pass --project KEY` },
  ]);
}
