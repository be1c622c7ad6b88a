import {
  applyPatch,
  findCycle,
  firstCreated,
  nextFreeProjectKey,
  planCycleBreaks,
  planRenumbering,
  type AnyRecord,
  type Dependency,
  type Edge,
  type NumberedItem,
  type Project,
  type Renumbering,
  type Scalar,
} from '../../domain/index.js';
import { fieldClock, type FieldConflict } from './merge-record.js';

/**
 * After a merge, the combined records can break invariants that each side kept: two items
 * with the same display key, a `blocks` cycle made of one dependency from each side, a parent
 * loop, the same dependency added twice. These planners decide the fix from the records alone,
 * so every replica that merges the same records makes the same fix, stamped with the same time.
 */

export const REPAIR_ACTOR = 'pm';

/** A write made by a merge: stamped just after the latest of the records involved, not "now". */
export function repairWrite<R extends AnyRecord>(record: R, patch: Partial<R>, after: string): R {
  return applyPatch(record, patch, { actor: REPAIR_ACTOR, now: Date.parse(after) + 1 }) ?? record;
}

export function latest(...timestamps: string[]): string {
  return timestamps.reduce((a, b) => (b > a ? b : a));
}

export { planRenumbering, type NumberedItem, type Renumbering };

/** Live projects that share a key: the earlier-created keeps it, the others get WEB2, WEB3, … */
export function planProjectKeys(projects: readonly Project[]): { project: Project; key: string }[] {
  const live = projects.filter((p) => p.deleted_at === null);
  const taken = new Set(live.map((p) => p.key));
  const byKey = new Map<string, Project[]>();
  for (const p of live) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p]);
  const plan: { project: Project; key: string }[] = [];
  for (const key of [...byKey.keys()].sort()) {
    for (const loser of byKey.get(key)!.sort(firstCreated).slice(1)) {
      const next = nextFreeProjectKey(key, taken);
      taken.add(next);
      plan.push({ project: loser, key: next });
    }
  }
  return plan;
}

export interface DependencyRepair {
  dependency: Dependency;
  reason: 'duplicate' | 'cycle';
  /** For cycles: the dependencies that made the loop, as [blocking, blocked] ids. */
  cycle?: [string, string][];
}

/**
 * Live dependencies to delete: repeats of the same link (the earliest stays) and, while live
 * `blocks` links form a cycle, the newest link of each cycle.
 */
export function planDependencyRepairs(dependencies: readonly Dependency[]): DependencyRepair[] {
  const live = dependencies.filter((d) => d.deleted_at === null);
  const repairs: DependencyRepair[] = [];
  const seen = new Map<string, Dependency>();
  const kept: Dependency[] = [];
  for (const d of [...live].sort(firstCreated)) {
    const pair =
      d.dependency_type === 'relates_to'
        ? [d.blocking_item_id, d.blocked_item_id].sort().join(':')
        : `${d.blocking_item_id}:${d.blocked_item_id}`;
    const key = `${d.dependency_type}:${pair}`;
    if (seen.has(key)) repairs.push({ dependency: d, reason: 'duplicate' });
    else {
      seen.set(key, d);
      kept.push(d);
    }
  }
  const blocks = kept.filter((d) => d.dependency_type === 'blocks');
  const edges: Edge[] = blocks.map((d) => ({
    id: d.id,
    from: d.blocking_item_id,
    to: d.blocked_item_id,
    created_at: d.created_at,
  }));
  const byId = new Map(blocks.map((d) => [d.id, d]));
  const adjacency = new Map<string, Edge[]>();
  for (const e of edges) adjacency.set(e.from, [...(adjacency.get(e.from) ?? []), e]);
  for (const broken of planCycleBreaks(edges)) {
    const cycle = cycleThrough(adjacency, broken);
    repairs.push({ dependency: byId.get(broken.id)!, reason: 'cycle', cycle: cycle.map((e) => [e.from, e.to]) });
    const list = adjacency.get(broken.from)!;
    list.splice(list.indexOf(broken), 1);
  }
  return repairs;
}

function cycleThrough(adjacency: ReadonlyMap<string, readonly Edge[]>, edge: Edge): Edge[] {
  const found = findCycle(new Map([...adjacency].map(([k, v]) => [k, [...v]])));
  return found && found.some((e) => e.id === edge.id) ? found : [edge];
}

export interface ParentLink {
  id: string;
  parent_id: string;
  /** When parent_id was last written. */
  clock: string;
}

/** The items of each loop in the parent links, as lists of ids. */
export function parentLoops(links: readonly { id: string; parent_id: string }[]): string[][] {
  const parentOf = new Map(links.map((l) => [l.id, l.parent_id]));
  const state = new Map<string, 'open' | 'done'>();
  const loops: string[][] = [];
  for (const start of parentOf.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !state.has(at)) {
      state.set(at, 'open');
      path.push(at);
      at = parentOf.get(at);
    }
    if (at !== undefined && state.get(at) === 'open') loops.push(path.slice(path.indexOf(at)));
    for (const id of path) state.set(id, 'done');
  }
  return loops;
}

/** Items whose parent link closes a loop: in each loop, the most recently set link is cut. */
export function planParentRepairs(links: readonly ParentLink[]): ParentLink[] {
  const parentOf = new Map(links.map((l) => [l.id, l]));
  const cut: ParentLink[] = [];
  const done = new Set<string>();
  for (const start of [...parentOf.keys()].sort()) {
    const path: ParentLink[] = [];
    const onPath = new Set<string>();
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at) && !onPath.has(at)) {
      const link = parentOf.get(at);
      if (!link) break;
      onPath.add(at);
      path.push(link);
      at = link.parent_id;
    }
    if (at !== undefined && onPath.has(at)) {
      const loop = path.slice(path.findIndex((l) => l.id === at));
      const newest = loop.reduce((a, b) => (b.clock > a.clock || (b.clock === a.clock && b.id > a.id) ? b : a));
      cut.push(newest);
      parentOf.delete(newest.id);
    }
    for (const l of path) done.add(l.id);
  }
  return cut;
}

export function parentLink(item: { id: string; parent_id: string | null } & AnyRecord): ParentLink | undefined {
  return item.parent_id === null ? undefined : { id: item.id, parent_id: item.parent_id, clock: fieldClock(item, 'parent_id') };
}

/** A repair as a recorded decision, so people can see what the merge changed and why. */
export function repairConflict(field: string, before: Scalar, after: Scalar, reason: string, at: string): FieldConflict {
  return { field, ours: before, theirs: after, winner: 'theirs', reason, at };
}
