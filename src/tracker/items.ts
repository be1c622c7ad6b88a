import {
  InvariantError,
  PRIORITIES,
  ValidationError,
  formatItemKey,
  itemPatch,
  itemQuery,
  newId,
  newItemInput,
  newMeta,
  once,
  parseInput,
  parseSort,
  sortableFields,
  workItemSchema,
  type Dependency,
  type ItemPatch,
  type ItemQuery,
  type NewItemInput,
  type Project,
  type SwimLane,
  type WorkItem,
} from '../domain/index.js';
import type { Filter, ListQuery, OrderOptions, OrderTerm, Store } from '../store/index.js';
import { authorOf, person, type TrackerContext } from './context.js';
import { lanesOf } from './lanes.js';
import { deleteRecord, patchRecord } from './records.js';
import { defaultProject, keyOf, projectKeys, requireById, resolveItem, resolveProject, resolveSprint } from './refs.js';
import type { ItemRef, MoveTarget, Page, WorkItemView } from './tracker.js';

/** Gap between neighbouring positions, so most moves touch only the moved item. */
export const POSITION_STEP = 1024;
const DEFAULT_LIMIT = 100;

/** Lists are in project and number order, and end there when sorted by other fields (id breaks ties). */
const DEFAULT_ORDER: readonly OrderTerm<WorkItem>[] = [
  ['project_id', 'asc'],
  ['item_number', 'asc'],
  ['id', 'asc'],
];
const SORTABLE = sortableFields('work_items');
/** Nullable fields sort their nulls last either way, on both dialects (as the lists sorted in memory do). */
const nullable = once(
  () =>
    new Set(SORTABLE.filter((f) => workItemSchema.shape[f as keyof typeof workItemSchema.shape]._zod.def.type === 'nullable')),
);

/** Short sort names people type: `key` is the display key's order (project, then number). */
const SORT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  key: ['project_id', 'item_number'],
  created: ['created_at'],
  updated: ['updated_at'],
};

/** The ORDER BY of a `sort` parameter (`-priority,updated_at`); priority goes by rank, low to critical, status by lane. */
function itemOrder(sort: string | undefined, laneOrder: readonly string[]): OrderTerm<WorkItem>[] {
  const terms = parseSort(sort ?? '', [...Object.keys(SORT_ALIASES), ...SORTABLE]).flatMap(({ field, descending }) =>
    (SORT_ALIASES[field] ?? [field]).map((f) => ({ field: f, descending })),
  );
  const order = terms.map(({ field, descending }): OrderTerm<WorkItem> => {
    const options: OrderOptions | undefined =
      field === 'priority'
        ? { ranks: PRIORITIES }
        : field === 'status'
          ? { ranks: laneOrder }
          : nullable().has(field)
            ? { nullsLast: true }
            : undefined;
    return [field as OrderTerm<WorkItem>[0], descending ? 'desc' : 'asc', options];
  });
  for (const term of DEFAULT_ORDER) if (!order.some(([field]) => field === term[0])) order.push(term);
  return order;
}

export function toView(keys: ReadonlyMap<string, string>, item: WorkItem): WorkItemView {
  return { ...item, key: keyOf(keys, item) };
}

export function toRef(keys: ReadonlyMap<string, string>, item: WorkItem): ItemRef {
  return { id: item.id, key: keyOf(keys, item), title: item.title, status: item.status };
}

async function viewOf(tx: Store, item: WorkItem): Promise<WorkItemView> {
  const project = await tx.get('projects', item.project_id);
  return { ...item, key: formatItemKey(project?.key ?? '?', item.item_number) };
}

function assertStatus(lanes: readonly SwimLane[], status: string, project: Project): void {
  if (!lanes.some((l) => l.status_value === status)) {
    throw new ValidationError([
      {
        path: 'status',
        message: `${JSON.stringify(status)} is not a lane of ${project.key}: expected one of ${lanes.map((l) => l.status_value).join(', ')}`,
      },
    ]);
  }
}

/** A status filter names lanes (or done statuses): a typo would otherwise list nothing, silently. */
function assertKnownStatuses(ctx: TrackerContext, lanes: readonly SwimLane[], statuses: readonly string[], project?: Project) {
  const known = [...new Set([...lanes.map((l) => l.status_value), ...ctx.doneStatuses])];
  const unknown = statuses.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new ValidationError([
      {
        path: 'status',
        message: `no lane${project ? ` of ${project.key}` : ''} has status ${unknown.map((s) => JSON.stringify(s)).join(', ')}: expected one of ${known.join(', ')}`,
      },
    ]);
  }
}

async function resolveParent(tx: Store, project: Project, ref: string, childId?: string): Promise<WorkItem> {
  const parent = await resolveItem(tx, ref);
  if (parent.project_id !== project.id) {
    const other = await tx.get('projects', parent.project_id);
    throw new InvariantError(
      'cross_project_parent',
      `parent ${ref} is in project ${other?.key ?? parent.project_id}; a parent must be in the same project (${project.key})`,
      'parent_id',
    );
  }
  if (childId !== undefined) {
    if (parent.id === childId) throw new InvariantError('parent_cycle', 'an item cannot be its own parent', 'parent_id');
    if ((await tx.ancestorIds(parent.id)).includes(childId)) {
      throw new InvariantError('parent_cycle', `${ref} is below this item, so it cannot be its parent`, 'parent_id');
    }
  }
  return parent;
}

async function resolveItemSprint(tx: Store, project: Project, ref: string): Promise<string> {
  const sprint = await resolveSprint(tx, ref, project.id);
  if (sprint.project_id !== project.id) {
    throw new ValidationError([{ path: 'sprint', message: `sprint ${ref} belongs to another project, not ${project.key}` }]);
  }
  return sprint.id;
}

export async function addItem(ctx: TrackerContext, tx: Store, raw: NewItemInput): Promise<WorkItemView> {
  const input = parseInput(newItemInput, raw);
  const project = await defaultProject(tx, input.project);
  const lanes = await lanesOf(tx, project.id);
  const status = input.status ?? lanes[0]?.status_value ?? 'backlog';
  assertStatus(lanes, status, project);
  const parentId = input.parent ? (await resolveParent(tx, project, input.parent)).id : null;
  const sprintId = input.sprint ? await resolveItemSprint(tx, project, input.sprint) : null;
  const itemNumber = await tx.allocateItemNumber(project.id);
  const item: WorkItem = {
    id: newId(),
    project_id: project.id,
    parent_id: parentId,
    item_type: input.item_type,
    item_number: itemNumber,
    title: input.title,
    description: input.description ?? null,
    status,
    priority: input.priority ?? 'medium',
    position: ((await tx.maxPosition(project.id, status)) ?? 0) + POSITION_STEP,
    story_points: input.story_points ?? null,
    assignee_id: person(ctx, input.assignee) ?? null,
    sprint_id: sprintId,
    ...newMeta(authorOf(ctx)),
  };
  await tx.insert('work_items', item);
  return { ...item, key: formatItemKey(project.key, itemNumber) };
}

export async function getItem(tx: Store, ref: string): Promise<WorkItemView> {
  return viewOf(tx, await resolveItem(tx, ref));
}

/** The filter, order and page of an item query, with its project and statuses checked. */
async function itemListing(ctx: TrackerContext, tx: Store, raw: ItemQuery) {
  const query = parseInput(itemQuery, raw);
  const where: Filter<WorkItem> = {};
  let project: Project | undefined;
  if (query.project !== undefined) {
    project = await resolveProject(tx, query.project);
    where.project_id = project.id;
  }
  const lanes = project ? await lanesOf(tx, project.id) : await tx.list('swim_lanes', { orderBy: [['position', 'asc']] });
  if (query.status?.length) {
    assertKnownStatuses(ctx, lanes, query.status, project);
    where.status = query.status;
  } else if (!query.all) where.status = { not: ctx.doneStatuses };
  if (query.item_type?.length) where.item_type = query.item_type;
  if (query.priority?.length) where.priority = query.priority;
  if (query.assignee !== undefined) where.assignee_id = query.assignee === 'none' ? null : person(ctx, query.assignee);
  if (query.sprint !== undefined) {
    where.sprint_id = query.sprint === 'none' ? null : (await resolveSprint(tx, query.sprint, project?.id)).id;
  }
  if (query.parent !== undefined) where.parent_id = query.parent === 'none' ? null : (await resolveItem(tx, query.parent)).id;
  const filter: ListQuery<WorkItem> = {
    where,
    includeDeleted: query.deleted ?? false,
    ...(query.search ? { search: { fields: ['title', 'description'] as const, text: query.search } } : {}),
  };
  const limit = query.limit ?? DEFAULT_LIMIT;
  const offset = query.offset ?? 0;
  const page: ListQuery<WorkItem> = {
    ...filter,
    orderBy: itemOrder(query.sort, [...new Set(lanes.map((l) => l.status_value))]),
    limit,
    offset,
  };
  return { filter, page, limit, offset };
}

export async function listItems(ctx: TrackerContext, tx: Store, raw: ItemQuery = {}): Promise<Page<WorkItemView>> {
  const { filter, page, limit, offset } = await itemListing(ctx, tx, raw);
  const [items, total, keys] = [await tx.list('work_items', page), await tx.count('work_items', filter), await projectKeys(tx)];
  return { items: items.map((i) => toView(keys, i)), total, limit, offset };
}

/** `listItems` as the JSON text JSON.stringify makes of its page, with the store writing each item's JSON. */
export async function listItemsJson(ctx: TrackerContext, tx: Store, raw: ItemQuery = {}): Promise<string> {
  const { filter, page, limit, offset } = await itemListing(ctx, tx, raw);
  const [items, total, keys] = [await tx.listItemJson(page), await tx.count('work_items', filter), await projectKeys(tx)];
  const views = items.map(
    (i) => `${i.json.slice(0, -1)},"key":${JSON.stringify(formatItemKey(keys.get(i.project_id) ?? '?', i.item_number))}}`,
  );
  return `{"items":[${views.join(',')}],"total":${total},"limit":${limit},"offset":${offset}}`;
}

export async function editItem(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  raw: ItemPatch,
  expectedVersion?: number,
): Promise<WorkItemView> {
  const input = parseInput(itemPatch, raw);
  const item = await resolveItem(tx, ref);
  const project = await requireById(tx, 'projects', item.project_id, { deleted: true });
  const patch: Partial<WorkItem> = {
    title: input.title,
    description: input.description,
    item_type: input.item_type,
    priority: input.priority,
    story_points: input.story_points,
    position: input.position,
    assignee_id: person(ctx, input.assignee),
  };
  if (input.status !== undefined) {
    assertStatus(await lanesOf(tx, project.id), input.status, project);
    patch.status = input.status;
  }
  if (input.parent !== undefined) {
    patch.parent_id = input.parent === null ? null : (await resolveParent(tx, project, input.parent, item.id)).id;
  }
  if (input.sprint !== undefined) {
    patch.sprint_id = input.sprint === null ? null : await resolveItemSprint(tx, project, input.sprint);
  }
  return viewOf(tx, await patchRecord(ctx, tx, 'work_items', item, patch, expectedVersion));
}

/**
 * Moves an item to a lane, at a 1-based rank in that lane or next to another item of it
 * (default: last). Positions keep gaps, so usually only the moved item changes; a lane
 * without a gap is respaced first.
 */
export async function moveItem(ctx: TrackerContext, tx: Store, ref: string, to: MoveTarget): Promise<WorkItemView> {
  const { status } = to;
  const item = await resolveItem(tx, ref);
  const project = await requireById(tx, 'projects', item.project_id, { deleted: true });
  assertStatus(await lanesOf(tx, project.id), status, project);
  if (to.rank !== undefined && (!Number.isInteger(to.rank) || to.rank < 1)) {
    throw new ValidationError([{ path: 'position', message: `expected a whole number from 1, got ${to.rank}` }]);
  }
  const column = (
    await tx.list('work_items', {
      where: { project_id: project.id, status },
      orderBy: [
        ['position', 'asc'],
        ['item_number', 'asc'],
      ],
    })
  ).filter((i) => i.id !== item.id);
  const rank = to.before !== undefined || to.after !== undefined ? await rankBeside(tx, column, to) : to.rank;
  let position = gapPosition(column, rank);
  if (position === null) {
    for (const [i, other] of column.entries()) {
      const respaced = (i + 1) * POSITION_STEP;
      if (other.position !== respaced) column[i] = await patchRecord(ctx, tx, 'work_items', other, { position: respaced });
    }
    position = gapPosition(column, rank)!;
  }
  return viewOf(tx, await patchRecord(ctx, tx, 'work_items', item, { status, position }, to.version));
}

/** The rank just before or after another item of the lane. */
async function rankBeside(tx: Store, column: readonly WorkItem[], to: MoveTarget): Promise<number> {
  const field = to.before !== undefined ? 'before' : 'after';
  const anchor = await resolveItem(tx, (to.before ?? to.after)!);
  const index = column.findIndex((i) => i.id === anchor.id);
  if (index === -1) {
    throw new ValidationError([{ path: field, message: `the item to move ${field} is not in lane ${to.status}` }]);
  }
  return field === 'before' ? index + 1 : index + 2;
}

function gapPosition(column: readonly WorkItem[], rank: number | undefined): number | null {
  const index = rank === undefined ? column.length : Math.min(rank - 1, column.length);
  const before = column[index - 1]?.position;
  const after = column[index]?.position;
  if (before === undefined && after === undefined) return POSITION_STEP;
  if (before === undefined) return after! - POSITION_STEP;
  if (after === undefined) return before + POSITION_STEP;
  return after - before >= 2 ? Math.floor((before + after) / 2) : null;
}

/** The dependencies that name an item, its blocks first; tombstones too when asked. */
async function dependenciesOf(tx: Store, id: string, includeDeleted: boolean): Promise<Dependency[]> {
  return [
    ...(await tx.list('dependencies', { where: { blocking_item_id: id }, includeDeleted })),
    ...(await tx.list('dependencies', { where: { blocked_item_id: id }, includeDeleted })),
  ];
}

/**
 * Deletes an item and the dependencies that name it; its comments and time stay with the
 * tombstone. Its children stay, without a parent (none points at a deleted item): which they
 * were is kept (locally) for restoreItem.
 */
export async function removeItem(ctx: TrackerContext, tx: Store, ref: string): Promise<WorkItemView> {
  const item = await resolveItem(tx, ref);
  // One instant for the item and what goes with it, so that restoreItem knows what to bring back.
  const at = new Date(ctx.clock()).toISOString();
  for (const dep of await dependenciesOf(tx, item.id, false)) await deleteRecord(ctx, tx, 'dependencies', dep, at);
  const children = await tx.list('work_items', { where: { parent_id: item.id } });
  for (const child of children) await patchRecord(ctx, tx, 'work_items', child, { parent_id: null });
  await tx.addClearedLinks(
    children.map((c) => ({ deleted_id: item.id, deleted_at: at, work_item_id: c.id, field: 'parent_id' })),
  );
  return viewOf(tx, await deleteRecord(ctx, tx, 'work_items', item, at));
}

/**
 * Undoes removeItem: the item lives again, with the dependencies its delete took (those deleted
 * at the same instant) whose other item lives, and the children it had then that still have no
 * parent. A live item is left as it is; one whose parent is deleted is refused (restore that
 * first); a sprint deleted since is left off, until that sprint is restored.
 */
export async function restoreItem(ctx: TrackerContext, tx: Store, ref: string): Promise<WorkItemView> {
  const item = await resolveItem(tx, ref, { deleted: true });
  const at = item.deleted_at;
  if (at === null) return viewOf(tx, item);
  const project = await requireById(tx, 'projects', item.project_id, { deleted: true });
  if (project.deleted_at !== null) {
    throw new InvariantError('deleted_reference', `cannot restore ${ref}: its project ${project.key} is deleted`);
  }
  const parent = item.parent_id === null ? undefined : await tx.get('work_items', item.parent_id);
  if (parent && parent.deleted_at !== null) {
    const parentKey = formatItemKey(project.key, parent.item_number);
    throw new InvariantError(
      'deleted_reference',
      `cannot restore ${ref}: its parent ${parentKey} is deleted; pm restore ${parentKey} first`,
      'parent_id',
    );
  }
  const sprint = item.sprint_id === null ? undefined : await tx.get('sprints', item.sprint_id);
  if (sprint?.deleted_at) {
    await tx.addClearedLinks([
      { deleted_id: sprint.id, deleted_at: sprint.deleted_at, work_item_id: item.id, field: 'sprint_id' },
    ]);
  }
  const restored = await patchRecord(ctx, tx, 'work_items', item, {
    deleted_at: null,
    ...(sprint?.deleted_at ? { sprint_id: null } : {}),
  });
  for (const dep of (await dependenciesOf(tx, item.id, true)).filter((d) => d.deleted_at === at)) {
    const other = await tx.get('work_items', dep.blocking_item_id === item.id ? dep.blocked_item_id : dep.blocking_item_id);
    if (other?.deleted_at !== null) continue;
    // a blocks dependency added since may make this one close a cycle: leave it deleted then
    if (dep.dependency_type === 'blocks' && (await tx.blocksReachable(dep.blocked_item_id, dep.blocking_item_id))) continue;
    await patchRecord(ctx, tx, 'dependencies', dep, { deleted_at: null });
  }
  const links = await tx.takeClearedLinks(item.id, at);
  const children = await tx.getMany(
    'work_items',
    links.map((l) => l.work_item_id),
  );
  const ancestors = await tx.ancestorIds(item.id);
  for (const child of children.values()) {
    // a child that found another parent, or became an ancestor of this item since, stays as it is
    if (child.deleted_at !== null || child.parent_id !== null || ancestors.includes(child.id)) continue;
    await patchRecord(ctx, tx, 'work_items', child, { parent_id: item.id });
  }
  return viewOf(tx, restored);
}
