import { formatItemKey, type AnyRecord, type EntityType, type WorkItem } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { FieldConflict } from '../merge/merge-record.js';
import { applyRepair, type Renumbered, type RepairSite } from '../merge/repair-plan.js';
import { parentLoops } from '../merge/repairs.js';
import { referring } from './follow.js';

/** Which invariants an import's writes could have broken: the rules that need to look. */
export interface Touched {
  numbers: boolean;
  projects: boolean;
  dependencies: boolean;
  parents: boolean;
  /** Projects, sprints or lanes written, or items placed in a sprint or brought back. */
  containers: boolean;
}

/**
 * The database inside an import's transaction as a repair site (see `repair-plan.ts`): each rule
 * reads what it needs with a query, and only when `touched` says the import could have broken
 * it. `repaired` hears of each repair made, with the decision to record.
 */
export function importRepairSite(
  tx: Store,
  touched: Touched,
  options: { duplicateNumbers: boolean; repaired: (type: EntityType, id: string, conflict: FieldConflict) => void },
): RepairSite {
  return {
    containers: async () => {
      if (!touched.containers) return undefined;
      const projects = await tx.list('projects', { includeDeleted: true });
      const sprints = await tx.list('sprints', { includeDeleted: true });
      const dead = (records: readonly AnyRecord[]) => records.filter((r) => r.deleted_at !== null).map((r) => r.id);
      const items = new Map<string, WorkItem>();
      for (const [field, ids] of [
        ['project_id', dead(projects)],
        ['sprint_id', dead(sprints)],
      ] as const) {
        for (const item of await referring(tx, 'work_items', field, ids)) if (item.deleted_at === null) items.set(item.id, item);
      }
      if (items.size === 0) return undefined;
      return { projects, sprints, lanes: await tx.list('swim_lanes'), items: [...items.values()] };
    },
    lanes: async () => (touched.containers ? tx.list('swim_lanes') : undefined),
    sprints: async () => (touched.containers ? tx.list('sprints') : undefined),
    projects: async () => (touched.projects ? tx.list('projects') : undefined),
    numbers: async () => {
      if (!touched.numbers && !options.duplicateNumbers) return undefined;
      const collisions = await tx.numberCollisions();
      if (collisions.length === 0) return undefined;
      const items = await tx.getMany(
        'work_items',
        collisions.map((c) => c.id),
      );
      const keys = await projectKeys(tx);
      return {
        items: collisions.map((c) => ({ ...c, updated_at: items.get(c.id)!.updated_at })),
        highest: await tx.maxItemNumbers(),
        projectKey: (id: string) => keys.get(id) ?? '?',
      };
    },
    dependencies: async () => {
      if (!touched.dependencies) return undefined;
      return { live: await tx.list('dependencies'), deleted: await tx.deletedDependencyEnds(), keys: (ids) => itemKeys(tx, ids) };
    },
    parents: async () => {
      if (!touched.parents) return undefined;
      const loops = parentLoops((await tx.parentLinks()).map(([id, parent_id]) => ({ id, parent_id })));
      return loops.length === 0 ? undefined : [...(await tx.getMany('work_items', loops.flat())).values()];
    },
    apply: async (repairs) => {
      for (const repair of repairs) {
        const record = await tx.get(repair.type, repair.id);
        if (!record) continue;
        const fixed = applyRepair(record, repair);
        await tx.update(repair.type, fixed.record);
        options.repaired(repair.type, repair.id, fixed.conflict);
        // A project back may clash on its key; an item deleted may leave dependencies naming it.
        if (repair.type === 'projects') touched.projects = true;
        if (repair.type === 'work_items' && repair.field === 'deleted_at') touched.dependencies = true;
      }
    },
  };
}

/**
 * After renumbering: each item keeps its old key as an alias here, and its project's counter
 * moves past the new numbers. Returns what was renumbered, for the import's result.
 */
export async function keepRenumbering(
  tx: Store,
  renumbered: readonly Renumbered[],
): Promise<{ id: string; key_before: string; key_after: string }[]> {
  const out: { id: string; key_before: string; key_after: string }[] = [];
  const highest = new Map<string, number>();
  for (const step of renumbered) {
    const item = (await tx.get('work_items', step.repair.id))!;
    await tx.addAliases([
      { project_id: step.project_id, item_number: step.from, work_item_id: item.id, created_at: item.updated_at },
    ]);
    out.push({ id: item.id, key_before: step.key_before, key_after: step.key_after });
    highest.set(step.project_id, Math.max(highest.get(step.project_id) ?? 0, step.to));
  }
  for (const [projectId, top] of highest) {
    const project = await tx.get('projects', projectId);
    if (project && project.next_work_item_number <= top)
      await tx.update('projects', { ...project, next_work_item_number: top + 1 });
  }
  return out;
}

async function projectKeys(tx: Store): Promise<Map<string, string>> {
  return new Map((await tx.list('projects', { includeDeleted: true })).map((p) => [p.id, p.key]));
}

/** Display keys of work items, by id. */
async function itemKeys(tx: Store, ids: readonly string[]): Promise<Map<string, string>> {
  const keys = await projectKeys(tx);
  const items = await tx.getMany('work_items', ids);
  return new Map([...items.values()].map((i) => [i.id, formatItemKey(keys.get(i.project_id) ?? '?', i.item_number)]));
}
