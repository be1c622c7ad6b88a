import { InvariantError } from './errors.js';

/**
 * Invariants of the data model as pure functions. Writes check them through the store's
 * queries; imports and merges check them over whole record sets with the graph helpers here.
 */

export function assertSprintDates(start: string, end: string): void {
  if (end < start) {
    throw new InvariantError('sprint_dates', `sprint ends (${end}) before it starts (${start})`, 'end_date');
  }
}

export interface Edge {
  id: string;
  from: string;
  to: string;
  created_at: string;
}

/** A path from `start` to `goal` following `next`, or null. */
export function findPath(start: string, goal: string, next: (node: string) => Iterable<string>): string[] | null {
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === goal) {
      const path: string[] = [];
      for (let at: string | null = node; at !== null; at = previous.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const n of next(node)) {
      if (!previous.has(n)) {
        previous.set(n, node);
        queue.push(n);
      }
    }
  }
  return null;
}

/**
 * The edges to drop so that the graph has no cycle: while a cycle exists, drop its
 * newest edge (latest `created_at`, then largest id). Deterministic for the same edges.
 */
export function planCycleBreaks(edges: readonly Edge[]): Edge[] {
  const live = new Map<string, Edge[]>();
  for (const e of edges) {
    const list = live.get(e.from);
    if (list) list.push(e);
    else live.set(e.from, [e]);
  }
  const dropped: Edge[] = [];
  for (;;) {
    const cycle = findCycle(live);
    if (!cycle) return dropped;
    const newest = cycle.reduce((a, b) =>
      b.created_at > a.created_at || (b.created_at === a.created_at && b.id > a.id) ? b : a,
    );
    dropped.push(newest);
    const list = live.get(newest.from)!;
    list.splice(list.indexOf(newest), 1);
  }
}

/** One cycle (as its edges) found by an iterative depth-first search, or null. */
export function findCycle(adjacency: ReadonlyMap<string, readonly Edge[]>): Edge[] | null {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const nodes = [...adjacency.keys()].sort();
  for (const root of nodes) {
    if (state.has(root)) continue;
    const stack: { node: string; edges: readonly Edge[]; i: number; via: Edge | null }[] = [];
    stack.push({ node: root, edges: sortedEdges(adjacency.get(root)), i: 0, via: null });
    state.set(root, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.i >= frame.edges.length) {
        state.set(frame.node, 2);
        stack.pop();
        continue;
      }
      const edge = frame.edges[frame.i++]!;
      const seen = state.get(edge.to);
      if (seen === 1) {
        const cycle = [edge];
        for (let k = stack.length - 1; k > 0 && stack[k]!.node !== edge.to; k--) cycle.unshift(stack[k]!.via!);
        return cycle;
      }
      if (seen === undefined) {
        state.set(edge.to, 1);
        stack.push({ node: edge.to, edges: sortedEdges(adjacency.get(edge.to)), i: 0, via: edge });
      }
    }
  }
  return null;
}

function sortedEdges(edges: readonly Edge[] | undefined): readonly Edge[] {
  return edges ? [...edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : [];
}
