import {
  defaultLanes,
  type Comment,
  type Dependency,
  type EntityRecords,
  type EntityType,
  type ItemType,
  type Meta,
  type Project,
  type Sprint,
  type TimeEntry,
  type WorkItem,
} from '../src/domain/index.js';
import type { Store } from '../src/store/index.js';

/** How big a generated data set is. `FULL` is the benchmark data set of the issues. */
export interface DatasetSize {
  projects: number;
  sprints: number;
  items: number;
  comments: number;
  timeEntries: number;
  dependencies: number;
}

export const FULL: DatasetSize = {
  projects: 10,
  sprints: 1_000,
  items: 100_000,
  comments: 100_000,
  timeEntries: 50_000,
  dependencies: 30_000,
};

export const SMALL: DatasetSize = {
  projects: 2,
  sprints: 10,
  items: 1_000,
  comments: 1_000,
  timeEntries: 500,
  dependencies: 300,
};

export type Dataset = { [E in EntityType]: EntityRecords[E][] };

/** Deterministic pseudo-random numbers (mulberry32): the same seed gives the same data set. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const WORDS =
  'account admin alert api archive audit backup badge banner billing cache calendar card cart chart checkout client config cookie coupon csv dashboard database deploy design dialog email error export feed filter footer form gateway grid header import index invoice label layout login logo map menu metric mobile modal navbar notification onboarding order page password payment pdf permission pipeline plan profile queue rate refund report role search session settings signup sitemap slider sso storage stripe subscription tab table tax theme ticket token tooltip upload user video webhook widget'.split(
    ' ',
  );
const VERBS = 'Add Fix Refactor Remove Update Migrate Document Test Speed up Localise Redesign Validate Cache Audit'.split(' ');
const PEOPLE = [
  'alice@example.com',
  'bob@example.com',
  'chen@example.com',
  'dana@example.com',
  'eve@example.com',
  'farid@example.com',
];
const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'];
const PRIORITIES = ['low', 'medium', 'medium', 'high', 'critical'] as const;

/**
 * A realistic data set: projects with sprints, epics → stories → tasks with descriptions,
 * comments, time entries and `blocks` dependencies that never form a cycle (they always point
 * from an earlier item to a later one of the same project).
 */
export function generateDataset(size: DatasetSize = FULL, seed = 42): Dataset {
  const r = rng(seed);
  const start = Date.parse('2025-11-01T08:00:00.000Z');
  let clock = 0;
  /** UUID v7 layout, time-ordered by generation order, random bits from the seed. */
  const id = () => {
    const ms = start + clock++;
    const hex = ms.toString(16).padStart(12, '0');
    const rand = (n: number) => Array.from({ length: n }, () => r.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand(3)}-${(8 + r.int(4)).toString(16)}${rand(3)}-${rand(12)}`;
  };
  const ts = (ms: number) => new Date(ms).toISOString();
  const phrase = (n: number) => Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
  const meta = (createdMs: number, edits: number): Meta => {
    const who = r.pick(PEOPLE);
    const updated = createdMs + edits * r.int(3_600_000);
    return {
      version: 1 + edits,
      created_by: who,
      updated_by: edits ? r.pick(PEOPLE) : who,
      created_at: ts(createdMs),
      updated_at: ts(updated),
      deleted_at: null,
      field_updated_at: edits ? { status: ts(updated) } : {},
    };
  };
  const moment = () => start + r.int(365 * 24 * 3_600_000);

  const projects: Project[] = [];
  for (let p = 0; p < size.projects; p++) {
    projects.push({
      id: id(),
      key: `P${String.fromCharCode(65 + (p % 26))}${p >= 26 ? p : ''}`.slice(0, 10),
      title: `${phrase(2)} programme`.replace(/^./, (c) => c.toUpperCase()),
      description: phrase(20),
      status: 'active',
      next_work_item_number: 1,
      ...meta(start, 0),
    });
  }

  const sprints: Sprint[] = [];
  const sprintsOf = new Map<string, Sprint[]>();
  for (let s = 0; s < size.sprints; s++) {
    const project = projects[s % projects.length]!;
    const n = Math.floor(s / projects.length);
    const first = start + n * 14 * 86_400_000;
    const sprint: Sprint = {
      id: id(),
      project_id: project.id,
      name: `Sprint ${n + 1}`,
      goal: phrase(6),
      start_date: ts(first).slice(0, 10),
      end_date: ts(first + 13 * 86_400_000).slice(0, 10),
      status: n === 0 ? 'active' : 'planned',
      ...meta(start, 0),
    };
    sprints.push(sprint);
    const list = sprintsOf.get(project.id) ?? [];
    list.push(sprint);
    sprintsOf.set(project.id, list);
  }

  const items: WorkItem[] = [];
  const itemsOf = new Map<string, WorkItem[]>();
  const perProject = Math.ceil(size.items / projects.length);
  for (const project of projects) {
    const list: WorkItem[] = [];
    let epic: WorkItem | undefined;
    let story: WorkItem | undefined;
    const projectSprints = sprintsOf.get(project.id) ?? [];
    for (let i = 0; i < perProject && items.length < size.items; i++) {
      // about 1 epic per 20 items, 1 story per 4, the rest tasks
      const type: ItemType = i % 20 === 0 ? 'epic' : i % 4 === 0 ? 'story' : 'task';
      const parent = type === 'epic' ? null : type === 'story' ? (epic ?? null) : (story ?? epic ?? null);
      const created = moment();
      const edits = r.int(4);
      // the first 200 items of each project are in its first sprint: a realistic board to benchmark
      const sprint =
        i < 200
          ? projectSprints[0]
          : r.next() < 0.6
            ? projectSprints[1 + r.int(Math.max(1, projectSprints.length - 1))]
            : undefined;
      const item: WorkItem = {
        id: id(),
        project_id: project.id,
        parent_id: parent?.id ?? null,
        item_type: type,
        item_number: i + 1,
        title: `${r.pick(VERBS)} ${phrase(3 + r.int(4))}`,
        description: r.next() < 0.7 ? `${phrase(15 + r.int(30))}.` : null,
        status: r.pick(STATUSES),
        priority: r.pick(PRIORITIES),
        position: (i + 1) * 1024,
        story_points: type === 'task' ? null : r.pick([1, 2, 3, 5, 8, 13]),
        assignee_id: r.next() < 0.8 ? r.pick(PEOPLE) : null,
        sprint_id: sprint?.id ?? null,
        ...meta(created, edits),
      };
      if (type === 'epic') epic = item;
      if (type === 'story') story = item;
      list.push(item);
      items.push(item);
    }
    project.next_work_item_number = list.length + 1;
    itemsOf.set(project.id, list);
  }

  const comments: Comment[] = [];
  for (let c = 0; c < size.comments; c++) {
    const item = r.pick(items);
    comments.push({ id: id(), work_item_id: item.id, content: `${phrase(5 + r.int(20))}.`, ...meta(moment(), r.int(2)) });
  }

  const timeEntries: TimeEntry[] = [];
  for (let t = 0; t < size.timeEntries; t++) {
    const item = r.pick(items);
    const started = moment();
    const duration = 300 + r.int(4 * 3600);
    timeEntries.push({
      id: id(),
      work_item_id: item.id,
      user_id: r.pick(PEOPLE),
      started_at: ts(started),
      ended_at: ts(started + duration * 1000),
      duration_seconds: duration,
      description: r.next() < 0.5 ? phrase(5) : null,
      ...meta(started, 0),
    });
  }

  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  const projectLists = [...itemsOf.values()].filter((l) => l.length > 1);
  while (dependencies.length < size.dependencies && projectLists.length > 0) {
    const list = r.pick(projectLists);
    const a = r.int(list.length - 1);
    const b = a + 1 + r.int(Math.min(200, list.length - a - 1));
    const type = r.next() < 0.8 ? 'blocks' : 'relates_to';
    const pair = `${list[a]!.id}:${list[b]!.id}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    dependencies.push({
      id: id(),
      blocking_item_id: list[a]!.id,
      blocked_item_id: list[b]!.id,
      dependency_type: type,
      ...meta(moment(), 0),
    });
  }

  const byId = <T extends { id: string }>(xs: T[]) => xs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return {
    projects: byId(projects),
    sprints: byId(sprints),
    swim_lanes: byId(defaultLanes()),
    work_items: byId(items),
    comments: byId(comments),
    dependencies: byId(dependencies),
    time_entries: byId(timeEntries),
    conflicts: [],
  };
}

export function recordCount(data: Dataset): number {
  return Object.values(data).reduce((n, list) => n + list.length, 0);
}

/** Writes a data set through the store's bulk path, in one transaction, in foreign-key order. */
export async function loadDataset(store: Store, data: Dataset): Promise<void> {
  await store.write(async (tx) => {
    for (const type of Object.keys(data) as EntityType[]) {
      const records = data[type];
      if (type === 'swim_lanes') {
        for (const lane of records)
          if (!(await tx.get('swim_lanes', lane.id))) await tx.insert('swim_lanes', lane as never, { localSeq: 0 });
        continue;
      }
      await tx.insertMany(type, records as never, { localSeq: 0 });
    }
  });
}
