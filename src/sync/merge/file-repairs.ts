import {
  formatItemKey,
  type AnyRecord,
  type Dependency,
  type EntityType,
  type NumberedItem,
  type Project,
  type Sprint,
  type SwimLane,
  type WorkItem,
} from '../../domain/index.js';
import { canonicalRecord } from '../snapshot/canonical.js';
import { fieldOf } from '../snapshot/fields.js';
import { normalizeRecord } from '../snapshot/records.js';
import {
  applyRepair,
  planContainerRepairs,
  planDependencyFixes,
  planLaneRepairs,
  planNumberRepairs,
  planParentFixes,
  planProjectKeyRepairs,
  planSprintNameRepairs,
  repairValue,
  type PlannedRepair,
  type Renumbered,
} from './repair-plan.js';
import { parentLoops } from './repairs.js';

/** A record line as a record; a line that is not a valid record gives undefined. */
export function parseLine(type: EntityType, text: string | undefined): AnyRecord | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const normalized = normalizeRecord(type, value);
  return normalized.ok ? normalized.record : undefined;
}

// Canonical lines start with these fields in this order: one anchored match reads them all.
const ITEM_HEAD =
  /^\{"id":"([^"]+)","project_id":"([^"]+)","parent_id":(?:null|"([^"]+)"),"item_type":"[a-z]+","item_number":(\d+)/;
const DEPENDENCY_HEAD =
  /^\{"id":"([^"]+)","blocking_item_id":"([^"]+)","blocked_item_id":"([^"]+)","dependency_type":"([a-z_]+)"/;
const TIMES = /"created_at":"([^"]+)","updated_at":"([^"]+)","deleted_at":(?:null|"([^"]+)")/;

interface ItemFact extends NumberedItem {
  updated_at: string;
  sprint_id: string | null;
  deleted_at: string | null;
}

/**
 * What the repairs of a merged snapshot file need to know about its records, noted while it is
 * written, kept small: no bodies of work items, comments or time entries.
 */
export class MergeFacts {
  readonly items: ItemFact[] = [];
  readonly parents: { id: string; parent_id: string }[] = [];
  readonly dependencies: Dependency[] = [];
  readonly projects: Project[] = [];
  readonly sprints: Sprint[] = [];
  readonly lanes: SwimLane[] = [];
  /** Whether the merge set a parent, brought a live dependency or deleted an item the base did not have. */
  parentsChanged = false;
  dependenciesChanged = false;

  note(type: EntityType, text: string, base: string | undefined): void {
    if (type === 'work_items') {
      const head = ITEM_HEAD.exec(text);
      const times = TIMES.exec(text);
      if (!head || !times) return this.noteParsed(type, text, base);
      const [, id, project, parent, number] = head;
      const deleted = times[3] ?? null;
      this.items.push({
        id: id!,
        project_id: project!,
        item_number: Number(number),
        created_at: times[1]!,
        updated_at: times[2]!,
        sprint_id: (fieldOf(text, 'sprint_id') as string | null | undefined) ?? null,
        deleted_at: deleted,
      });
      if (parent !== undefined) {
        this.parents.push({ id: id!, parent_id: parent });
        if (text !== base && (base === undefined || ITEM_HEAD.exec(base)?.[3] !== parent)) this.parentsChanged = true;
      }
      if (deleted !== null && text !== base && (base === undefined || TIMES.exec(base)?.[3] === undefined))
        this.dependenciesChanged = true;
    } else if (type === 'dependencies') {
      const head = DEPENDENCY_HEAD.exec(text);
      const times = TIMES.exec(text);
      if (!head || !times) return this.noteParsed(type, text, base);
      if (times[3] !== undefined) return;
      const [, id, blocking, blocked, kind] = head;
      this.dependencies.push({
        id,
        blocking_item_id: blocking,
        blocked_item_id: blocked,
        dependency_type: kind,
        created_at: times[1],
        updated_at: times[2],
        deleted_at: null,
      } as Dependency);
      if (text !== base && (base === undefined || TIMES.exec(base)?.[3] !== undefined)) this.dependenciesChanged = true;
    } else if (type === 'projects' || type === 'sprints' || type === 'swim_lanes') {
      const record = parseLine(type, text);
      if (type === 'projects' && record) this.projects.push(record as Project);
      if (type === 'sprints' && record) this.sprints.push(record as Sprint);
      if (type === 'swim_lanes' && record) this.lanes.push(record as SwimLane);
    }
  }

  /** Lines not in canonical form (records a side could not give in valid form): read the slow way. */
  private noteParsed(type: EntityType, text: string, base: string | undefined): void {
    const record = parseLine(type, text);
    if (!record) return;
    this.parentsChanged ||= text !== base;
    this.dependenciesChanged ||= text !== base;
    this.note(type, canonicalRecord(type, record), base === undefined ? undefined : '');
  }
}

export interface FileRepairPlan {
  repairs: PlannedRepair[];
  renumbered: Renumbered[];
}

/**
 * The repairs a merged file needs, in the order an import makes them (see `repair-plan.ts`),
 * decided from the facts alone; `load` reads the work items whose whole record a rule needs.
 */
export function planFileRepairs(facts: MergeFacts, load: (ids: ReadonlySet<string>) => Map<string, WorkItem>): FileRepairPlan {
  const repairs: PlannedRepair[] = [];
  const projects = new Map(facts.projects.map((p) => [p.id, p]));
  const sprints = new Map(facts.sprints.map((s) => [s.id, s]));
  const lanes = new Map(facts.lanes.map((l) => [l.id, l]));
  const items = new Map(facts.items.map((i) => [i.id, i]));
  /** Plans these repairs, and applies them to the facts the next rules read. */
  const take = (planned: readonly PlannedRepair[]) => {
    for (const repair of planned) {
      repairs.push(repair);
      const table = { projects, sprints, swim_lanes: lanes } as Record<string, Map<string, AnyRecord> | undefined>;
      const records = table[repair.type];
      const record = records?.get(repair.id);
      if (records && record) records.set(repair.id, applyRepair(record, repair).record);
      const item = repair.type === 'work_items' ? items.get(repair.id) : undefined;
      if (item && repair.field === 'deleted_at') item.deleted_at = repairValue(repair, item.updated_at) as string;
      if (item && repair.field === 'item_number') item.item_number = repairValue(repair, item.updated_at) as number;
    }
  };

  const deadProjects = new Set(facts.projects.filter((p) => p.deleted_at !== null).map((p) => p.id));
  const deadSprints = new Set(facts.sprints.filter((s) => s.deleted_at !== null).map((s) => s.id));
  const stranded = facts.items.filter(
    (i) => i.deleted_at === null && (deadProjects.has(i.project_id) || (i.sprint_id !== null && deadSprints.has(i.sprint_id))),
  );
  const loops = facts.parentsChanged ? parentLoops(facts.parents) : [];
  const full = load(new Set([...stranded.map((i) => i.id), ...loops.flat()]));
  const keyOf = (itemId: string) => {
    const item = items.get(itemId);
    return item ? formatItemKey(projects.get(item.project_id)?.key ?? '?', item.item_number) : itemId;
  };
  if (stranded.length > 0) {
    take(
      planContainerRepairs({
        projects: [...projects.values()],
        sprints: [...sprints.values()],
        lanes: [...lanes.values()],
        items: stranded.map((i) => full.get(i.id)!),
      }),
    );
  }
  take(planLaneRepairs([...lanes.values()]));
  take(planSprintNameRepairs([...sprints.values()]));
  take(planProjectKeyRepairs([...projects.values()]));

  const holders = new Map<string, number>();
  for (const i of facts.items)
    holders.set(`${i.project_id}:${i.item_number}`, (holders.get(`${i.project_id}:${i.item_number}`) ?? 0) + 1);
  const collisions = facts.items.filter((i) => holders.get(`${i.project_id}:${i.item_number}`)! > 1);
  let renumbered: Renumbered[] = [];
  if (collisions.length > 0) {
    const highest = new Map<string, number>();
    for (const i of facts.items) highest.set(i.project_id, Math.max(highest.get(i.project_id) ?? 0, i.item_number));
    renumbered = planNumberRepairs(collisions, highest, (id) => projects.get(id)?.key ?? '?');
    take(renumbered.map((r) => r.repair));
  }

  if (facts.dependenciesChanged || repairs.some((r) => r.type === 'work_items' && r.field === 'deleted_at')) {
    const deleted = new Map<string, string>();
    for (const i of items.values()) if (i.deleted_at !== null) deleted.set(i.id, i.deleted_at);
    take(planDependencyFixes(facts.dependencies, deleted, keyOf));
  }
  if (loops.length > 0) take(planParentFixes([...full.values()].filter((i) => loops.some((l) => l.includes(i.id)))));
  return { repairs, renumbered };
}
