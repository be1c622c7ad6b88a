import {
  firstCreated,
  formatItemKey,
  nextTimestamp,
  planRenumbering,
  type AnyRecord,
  type Dependency,
  type EntityType,
  type NumberedItem,
  type Project,
  type Scalar,
  type Sprint,
  type SwimLane,
  type WorkItem,
} from '../../domain/index.js';
import { fieldClock, type FieldConflict } from './merge-record.js';
import {
  latest,
  parentLink,
  planDependencyRepairs,
  planParentRepairs,
  planProjectKeys,
  repairConflict,
  repairWrite,
  type ParentLink,
} from './repairs.js';

/**
 * A fix a merge makes so the merged records keep the invariants local commands keep, as data:
 * which field of which record gets what value, stamped just after the latest write the
 * decision rests on, and why. The merge driver and every import (`pm sync import`, `pm sync
 * pull`, a take-in of data.json, a server's import) plan with the functions here and apply with
 * `applyRepair`, so every replica that merges the same records makes the same fix with the same
 * stamps, and records it as the same conflict (`pm conflicts`).
 *
 * The rules, each decided from the records alone:
 *
 * - a live item in a deleted project, or a live sprint or lane of one: if anything in the
 *   project was written after the deletion, the project comes back; else its live content is
 *   deleted with it (as `pm project rm --force` does);
 * - a live item in a deleted sprint: if it was put there after the deletion, the sprint comes
 *   back; else the item leaves it (as `pm sprint rm` does);
 * - two live lanes of one status in one scope, two live sprints of one name in one project:
 *   the earlier-created keeps it; the later lane is deleted, the later sprint renamed "NAME (2)";
 * - two live projects with one key: the later gets WEB2; two items with one display key: the
 *   later-created is renumbered past the highest number;
 * - a live dependency that names a deleted item is deleted (as `pm item rm` does); the same
 *   dependency twice keeps the earlier; a `blocks` cycle loses its newest link;
 * - a parent loop loses its most recently set link.
 */
export interface PlannedRepair {
  type: EntityType;
  id: string;
  field: string;
  /** The value set, or a tombstone stamped when the repair is applied. */
  set: { value: Scalar } | 'tombstone';
  /** The latest write the decision rests on: the repair is stamped just after it. */
  after: string;
  reason: string;
  /** Recorded as a resolved conflict: nothing is lost and no one need decide (a renumbering). */
  settled?: boolean;
}

/** The value a repair sets on a record last written at `updatedAt`. */
export function repairValue(repair: PlannedRepair, updatedAt: string): Scalar {
  return repair.set === 'tombstone' ? nextTimestamp(updatedAt, Date.parse(repair.after) + 1) : repair.set.value;
}

/** Applies a planned repair to the record it names: the fixed record and the decision to record. */
export function applyRepair<R extends AnyRecord>(record: R, repair: PlannedRepair): { record: R; conflict: FieldConflict } {
  const before = ((record as Record<string, unknown>)[repair.field] ?? null) as Scalar;
  const value = repairValue(repair, record.updated_at);
  const fixed = repairWrite(record, { [repair.field]: value } as Partial<R>, repair.after);
  const conflict = repairConflict(repair.field, before, value, repair.reason, fixed.updated_at);
  return { record: fixed, conflict: repair.settled ? { ...conflict, settled: true } : conflict };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const newest = <R extends { updated_at: string }>(records: readonly R[]): R =>
  records.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));

/** What the container rules look at. */
export interface ContainerView {
  /** Every project and sprint, tombstones included, and every live lane. */
  projects: readonly Project[];
  sprints: readonly Sprint[];
  lanes: readonly SwimLane[];
  /** Every live item whose project or sprint is deleted. */
  items: readonly WorkItem[];
}

/** Deleted projects and sprints that still hold live records: bring them back, or empty them. */
export function planContainerRepairs(view: ContainerView): PlannedRepair[] {
  const plan: PlannedRepair[] = [];
  const keys = new Map(view.projects.map((p) => [p.id, p.key]));
  const keyOf = (item: WorkItem) => formatItemKey(keys.get(item.project_id) ?? '?', item.item_number);
  const emptied = new Set<string>();
  for (const project of view.projects.filter((p) => p.deleted_at !== null).sort(byId)) {
    const items = view.items.filter((i) => i.project_id === project.id);
    const sprints = view.sprints.filter((s) => s.project_id === project.id && s.deleted_at === null);
    const lanes = view.lanes.filter((l) => l.project_id === project.id && l.deleted_at === null);
    const content = [...items, ...sprints, ...lanes];
    if (content.length === 0) continue;
    const deleted = fieldClock(project, 'deleted_at');
    const last = newest(content);
    if (last.updated_at > deleted) {
      const what = items.includes(last as WorkItem) ? keyOf(last as WorkItem) : `"${(last as Sprint | SwimLane).name}"`;
      plan.push({
        type: 'projects',
        id: project.id,
        field: 'deleted_at',
        set: { value: null },
        after: last.updated_at,
        reason: `brought back: ${what} in it was changed after project ${project.key} was deleted`,
      });
      continue;
    }
    const reason = `deleted with project ${project.key}, which was deleted after this last changed`;
    for (const [type, records] of [
      ['work_items', items],
      ['sprints', sprints],
      ['swim_lanes', lanes],
    ] as const) {
      for (const record of [...records].sort(byId)) {
        if (type === 'work_items') emptied.add(record.id);
        plan.push({
          type,
          id: record.id,
          field: 'deleted_at',
          set: 'tombstone',
          after: latest(record.updated_at, deleted),
          reason,
        });
      }
    }
  }
  for (const sprint of view.sprints.filter((s) => s.deleted_at !== null).sort(byId)) {
    const items = view.items.filter((i) => i.sprint_id === sprint.id && !emptied.has(i.id)).sort(byId);
    if (items.length === 0) continue;
    const deleted = fieldClock(sprint, 'deleted_at');
    const moved = items.reduce((a, b) => (fieldClock(b, 'sprint_id') > fieldClock(a, 'sprint_id') ? b : a));
    if (fieldClock(moved, 'sprint_id') > deleted) {
      plan.push({
        type: 'sprints',
        id: sprint.id,
        field: 'deleted_at',
        set: { value: null },
        after: fieldClock(moved, 'sprint_id'),
        reason: `brought back: ${keyOf(moved)} was put in sprint "${sprint.name}" after it was deleted`,
      });
      continue;
    }
    for (const item of items) {
      plan.push({
        type: 'work_items',
        id: item.id,
        field: 'sprint_id',
        set: { value: null },
        after: latest(item.updated_at, deleted),
        reason: `cleared: sprint "${sprint.name}" was deleted after ${keyOf(item)} was put in it`,
      });
    }
  }
  return plan;
}

/** Live lanes for one status in one scope (a project, or the shared lanes): the earlier-created stays. */
export function planLaneRepairs(lanes: readonly SwimLane[]): PlannedRepair[] {
  const groups = new Map<string, SwimLane[]>();
  for (const lane of lanes.filter((l) => l.deleted_at === null)) {
    const key = `${lane.project_id ?? ''}:${lane.status_value}`;
    groups.set(key, [...(groups.get(key) ?? []), lane]);
  }
  const plan: PlannedRepair[] = [];
  for (const key of [...groups.keys()].sort()) {
    const [kept, ...others] = groups.get(key)!.sort(firstCreated);
    for (const lane of others) {
      plan.push({
        type: 'swim_lanes',
        id: lane.id,
        field: 'deleted_at',
        set: 'tombstone',
        after: latest(kept!.updated_at, lane.updated_at),
        reason: `deleted: lane "${kept!.name}" already shows status ${lane.status_value}, and was created first`,
      });
    }
  }
  return plan;
}

/** Live sprints of one project that share a name (in any case): the later-created get "NAME (2)", "NAME (3)", … */
export function planSprintNameRepairs(sprints: readonly Sprint[]): PlannedRepair[] {
  const live = sprints.filter((s) => s.deleted_at === null);
  const taken = new Set(live.map((s) => `${s.project_id}:${s.name.toLowerCase()}`));
  const groups = new Map<string, Sprint[]>();
  for (const sprint of live) {
    const key = `${sprint.project_id}:${sprint.name.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), sprint]);
  }
  const plan: PlannedRepair[] = [];
  for (const key of [...groups.keys()].sort()) {
    const [kept, ...others] = groups.get(key)!.sort(firstCreated);
    for (const sprint of others) {
      let n = 2;
      while (taken.has(`${sprint.project_id}:${sprint.name.toLowerCase()} (${n})`)) n++;
      const name = `${sprint.name} (${n})`;
      taken.add(`${sprint.project_id}:${name.toLowerCase()}`);
      plan.push({
        type: 'sprints',
        id: sprint.id,
        field: 'name',
        set: { value: name },
        after: latest(kept!.updated_at, sprint.updated_at),
        reason: `renamed: sprint "${kept!.name}" was created first with that name`,
      });
    }
  }
  return plan;
}

/** Live projects that share a key: the later get WEB2, WEB3, … */
export function planProjectKeyRepairs(projects: readonly Project[]): PlannedRepair[] {
  return planProjectKeys(projects).map(({ project, key }) => ({
    type: 'projects',
    id: project.id,
    field: 'key',
    set: { value: key },
    after: project.updated_at,
    reason: `key ${project.key} was taken by an earlier project`,
  }));
}

/** A display number given to another item, and the project counter that must pass it. */
export interface Renumbered {
  repair: PlannedRepair;
  project_id: string;
  from: number;
  to: number;
  key_before: string;
  key_after: string;
}

/**
 * Items that share a display key: the earlier-created keeps it, the others are renumbered past
 * the project's highest number. `items` are those that share a number.
 */
export function planNumberRepairs(
  items: readonly (NumberedItem & { updated_at: string })[],
  highest: ReadonlyMap<string, number>,
  projectKey: (projectId: string) => string,
): Renumbered[] {
  return planRenumbering(items, highest).map((step) => {
    const group = items.filter((c) => c.project_id === step.project_id && c.item_number === step.from);
    const key = projectKey(step.project_id);
    const [before, after] = [formatItemKey(key, step.from), formatItemKey(key, step.to)];
    return {
      repair: {
        type: 'work_items',
        id: step.id,
        field: 'item_number',
        set: { value: step.to },
        after: latest(...group.map((c) => c.updated_at)),
        reason: `${before} was also minted by another clone; the earlier-created item keeps it`,
        settled: true,
      },
      project_id: step.project_id,
      from: step.from,
      to: step.to,
      key_before: before,
      key_after: after,
    };
  });
}

/**
 * Live dependencies to delete: those that name a deleted item (`deletedItems`: id → when it was
 * deleted), repeats of one link, and the newest link of each `blocks` cycle.
 */
export function planDependencyFixes(
  live: readonly Dependency[],
  deletedItems: ReadonlyMap<string, string>,
  key: (itemId: string) => string,
): PlannedRepair[] {
  const plan: PlannedRepair[] = [];
  const standing: Dependency[] = [];
  for (const d of [...live].sort(byId)) {
    const gone = [d.blocking_item_id, d.blocked_item_id].find((id) => deletedItems.has(id));
    if (gone === undefined) standing.push(d);
    else
      plan.push({
        type: 'dependencies',
        id: d.id,
        field: 'deleted_at',
        set: 'tombstone',
        after: latest(d.updated_at, deletedItems.get(gone)!),
        reason: `deleted: ${key(gone)}, which it names, was deleted`,
      });
  }
  for (const repair of planDependencyRepairs(standing)) {
    const d = repair.dependency;
    plan.push({
      type: 'dependencies',
      id: d.id,
      field: 'deleted_at',
      set: 'tombstone',
      after: d.updated_at,
      reason:
        repair.reason === 'cycle'
          ? `deleted: with the other side's dependencies it closed a blocks cycle (${repair.cycle!.map(([from]) => key(from)).join(' → ')})`
          : `deleted: the same dependency between ${key(d.blocking_item_id)} and ${key(d.blocked_item_id)} was added first elsewhere`,
    });
  }
  return plan;
}

/** Parent links that close a loop: in each loop the most recently set link is cut. */
export function planParentFixes(items: readonly WorkItem[]): PlannedRepair[] {
  const links = items.map(parentLink).filter((l): l is ParentLink => l !== undefined);
  const byItem = new Map(items.map((i) => [i.id, i]));
  return planParentRepairs(links).map((cut) => ({
    type: 'work_items',
    id: cut.id,
    field: 'parent_id',
    set: { value: null },
    after: byItem.get(cut.id)!.updated_at,
    reason: "cleared: with the other side's edits the parent chain looped back to this item",
  }));
}

/** What the display-key rule looks at: the items that share a number, and each project's highest. */
export interface NumberView {
  items: readonly (NumberedItem & { updated_at: string })[];
  highest: ReadonlyMap<string, number>;
  projectKey: (projectId: string) => string;
}

/** What the dependency rules look at: the live dependencies, and the deleted items they name. */
export interface DependencyView {
  live: readonly Dependency[];
  /** Deleted items a live dependency names: id → `deleted_at`. */
  deleted: ReadonlyMap<string, string>;
  /** Display keys of these items, for the messages. */
  keys: (ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

/**
 * Where repairs are planned and made: a merged file (the merge driver) or a database (an
 * import). Each method gives what one rule looks at, or undefined when nothing there can have
 * broken it; `apply` makes repairs so that the rules after it see them.
 */
export interface RepairSite {
  containers(): Promise<ContainerView | undefined>;
  lanes(): Promise<readonly SwimLane[] | undefined>;
  sprints(): Promise<readonly Sprint[] | undefined>;
  projects(): Promise<readonly Project[] | undefined>;
  numbers(): Promise<NumberView | undefined>;
  dependencies(): Promise<DependencyView | undefined>;
  /** The items of parent loops. */
  parents(): Promise<readonly WorkItem[] | undefined>;
  apply(repairs: readonly PlannedRepair[]): Promise<void>;
}

/** Runs every rule in order on a site; returns the renumberings, whose aliases and counters the site keeps. */
export async function runRepairs(site: RepairSite): Promise<Renumbered[]> {
  const apply = async (plan: readonly PlannedRepair[]) => {
    if (plan.length > 0) await site.apply(plan);
  };
  const containers = await site.containers();
  if (containers) await apply(planContainerRepairs(containers));
  const lanes = await site.lanes();
  if (lanes) await apply(planLaneRepairs(lanes));
  const sprints = await site.sprints();
  if (sprints) await apply(planSprintNameRepairs(sprints));
  const projects = await site.projects();
  if (projects) await apply(planProjectKeyRepairs(projects));
  const numbers = await site.numbers();
  const renumbered = numbers ? planNumberRepairs(numbers.items, numbers.highest, numbers.projectKey) : [];
  await apply(renumbered.map((r) => r.repair));
  const dependencies = await site.dependencies();
  if (dependencies) {
    const { live, deleted } = dependencies;
    // Messages name items by key: learn which items the plan names, then plan with their keys.
    const named = new Set<string>();
    if (planDependencyFixes(live, deleted, (id) => (named.add(id), id)).length > 0) {
      const keys = await dependencies.keys([...named]);
      await apply(planDependencyFixes(live, deleted, (id) => keys.get(id) ?? id));
    }
  }
  const parents = await site.parents();
  if (parents) await apply(planParentFixes(parents));
  return renumbered;
}
