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
  repairValue,
  runRepairs,
  type ContainerView,
  type DependencyView,
  type NumberView,
  type PlannedRepair,
  type RepairSite,
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
 * The repairs a merged file needs, with the rules and in the order of an import (see
 * `repair-plan.ts`), decided from the facts alone; `load` reads the work items whose whole
 * record a rule needs, in one pass over the file.
 */
export async function planFileRepairs(
  facts: MergeFacts,
  load: (ids: ReadonlySet<string>) => Map<string, WorkItem>,
): Promise<FileRepairPlan> {
  const site = new FileSite(facts, load);
  const renumbered = await runRepairs(site);
  return { repairs: site.repairs, renumbered };
}

/** A merged file as a repair site: the facts, kept up to date with the repairs planned so far. */
class FileSite implements RepairSite {
  readonly repairs: PlannedRepair[] = [];
  private readonly projectsById: Map<string, Project>;
  private readonly sprintsById: Map<string, Sprint>;
  private readonly lanesById: Map<string, SwimLane>;
  private readonly items: Map<string, ItemFact>;
  private readonly loops: string[][];
  private readonly stranded: ItemFact[];
  private loaded: Map<string, WorkItem> | undefined;

  constructor(
    private readonly facts: MergeFacts,
    private readonly load: (ids: ReadonlySet<string>) => Map<string, WorkItem>,
  ) {
    this.projectsById = new Map(facts.projects.map((p) => [p.id, p]));
    this.sprintsById = new Map(facts.sprints.map((x) => [x.id, x]));
    this.lanesById = new Map(facts.lanes.map((l) => [l.id, l]));
    this.items = new Map(facts.items.map((i) => [i.id, i]));
    const deadProjects = new Set(facts.projects.filter((p) => p.deleted_at !== null).map((p) => p.id));
    const deadSprints = new Set(facts.sprints.filter((x) => x.deleted_at !== null).map((x) => x.id));
    this.stranded = facts.items.filter(
      (i) => i.deleted_at === null && (deadProjects.has(i.project_id) || (i.sprint_id !== null && deadSprints.has(i.sprint_id))),
    );
    this.loops = facts.parentsChanged ? parentLoops(facts.parents) : [];
  }

  /** The whole records of the items the rules need, read once. */
  private full(): Map<string, WorkItem> {
    this.loaded ??= this.load(new Set([...this.stranded.map((i) => i.id), ...this.loops.flat()]));
    return this.loaded;
  }

  containers(): Promise<ContainerView | undefined> {
    if (this.stranded.length === 0) return Promise.resolve(undefined);
    return Promise.resolve({
      projects: [...this.projectsById.values()],
      sprints: [...this.sprintsById.values()],
      lanes: [...this.lanesById.values()],
      items: this.stranded.map((i) => this.full().get(i.id)!),
    });
  }

  lanes(): Promise<SwimLane[]> {
    return Promise.resolve([...this.lanesById.values()]);
  }

  sprints(): Promise<Sprint[]> {
    return Promise.resolve([...this.sprintsById.values()]);
  }

  projects(): Promise<Project[]> {
    return Promise.resolve([...this.projectsById.values()]);
  }

  numbers(): Promise<NumberView | undefined> {
    const holders = new Map<string, number>();
    const slot = (i: ItemFact) => `${i.project_id}:${i.item_number}`;
    for (const i of this.facts.items) holders.set(slot(i), (holders.get(slot(i)) ?? 0) + 1);
    const items = this.facts.items.filter((i) => holders.get(slot(i))! > 1);
    if (items.length === 0) return Promise.resolve(undefined);
    const highest = new Map<string, number>();
    for (const i of this.facts.items) highest.set(i.project_id, Math.max(highest.get(i.project_id) ?? 0, i.item_number));
    return Promise.resolve({ items, highest, projectKey: (id) => this.projectsById.get(id)?.key ?? '?' });
  }

  dependencies(): Promise<DependencyView | undefined> {
    const itemsDeleted = this.repairs.some((r) => r.type === 'work_items' && r.field === 'deleted_at');
    if (!this.facts.dependenciesChanged && !itemsDeleted) return Promise.resolve(undefined);
    const deleted = new Map<string, string>();
    for (const i of this.items.values()) if (i.deleted_at !== null) deleted.set(i.id, i.deleted_at);
    const keyOf = (id: string) => {
      const item = this.items.get(id);
      return item ? formatItemKey(this.projectsById.get(item.project_id)?.key ?? '?', item.item_number) : id;
    };
    return Promise.resolve({
      live: this.facts.dependencies,
      deleted,
      keys: (ids) => Promise.resolve(new Map(ids.map((id) => [id, keyOf(id)]))),
    });
  }

  parents(): Promise<WorkItem[] | undefined> {
    if (this.loops.length === 0) return Promise.resolve(undefined);
    const members = new Set(this.loops.flat());
    return Promise.resolve([...this.full().values()].filter((i) => members.has(i.id)));
  }

  /** Plans these repairs, and applies them to the facts the next rules read. */
  apply(repairs: readonly PlannedRepair[]): Promise<void> {
    const tables: Partial<Record<EntityType, Map<string, AnyRecord>>> = {
      projects: this.projectsById,
      sprints: this.sprintsById,
      swim_lanes: this.lanesById,
    };
    for (const repair of repairs) {
      this.repairs.push(repair);
      const records = tables[repair.type];
      const record = records?.get(repair.id);
      if (records && record) records.set(repair.id, applyRepair(record, repair).record);
      const item = repair.type === 'work_items' ? this.items.get(repair.id) : undefined;
      if (item && repair.field === 'deleted_at') item.deleted_at = repairValue(repair, item.updated_at) as string;
      if (item && repair.field === 'item_number') item.item_number = repairValue(repair, item.updated_at) as number;
    }
    return Promise.resolve();
  }
}
