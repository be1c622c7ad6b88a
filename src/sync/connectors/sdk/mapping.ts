import {
  ITEM_TYPES,
  PRIORITIES,
  type Comment,
  type Dependency,
  type ItemType,
  type Priority,
  type Sprint,
  type SprintStatus,
  type TimeEntry,
  type WorkItem,
} from '../../../domain/index.js';
import type { Mapping } from './connector.js';
import type { LocalPatch, SyncedFields } from './records.js';

/**
 * pm ↔ remote, field by field, without I/O. Where the remote has fewer values than pm (several
 * pm statuses on one remote status; a version only open or closed), a local value that already
 * maps to the remote one is kept, so a round trip never changes it.
 */

/** One closed set of pm values (item types, statuses, priorities) against the remote's names. */
export class Vocabulary<L extends string = string> {
  constructor(
    private readonly options: {
      /** pm value → remote name. */
      map: Readonly<Record<string, string>>;
      /** pm values in preference order: the first that maps to a remote name is its way back. */
      order: () => readonly L[];
      /** The remote name of a pm value the map does not name. */
      out: (local: string) => string;
      /** The pm value of a remote name no pm value maps to. */
      back: (remote: string) => L;
    },
  ) {}

  toRemote(local: string): string {
    return this.options.map[local] ?? this.options.out(local);
  }

  /** The pm value for a remote name: the current one when it already maps there. */
  toLocal(remote: string, current?: L): L {
    if (current !== undefined && this.toRemote(current) === remote) return current;
    const { map, order } = this.options;
    const named = order().find((k) => map[k] === remote) ?? (Object.keys(map) as L[]).find((k) => map[k] === remote);
    return named ?? this.options.back(remote);
  }
}

/** Item types through a map (defaults first, then the connection's); an unknown remote type is a task. */
function itemTypes(defaults: Record<ItemType, string>, overrides: Record<string, string>): Vocabulary<ItemType> {
  const map: Record<string, string> = { ...defaults, ...overrides };
  return new Vocabulary<ItemType>({ map, order: () => ITEM_TYPES, out: (t) => map[t] ?? defaults.task, back: () => 'task' });
}

/** Priorities, with extra remote names that come back as a pm priority; an unknown one is medium. */
function priorities(map: Record<Priority, string>, aliases: Record<string, Priority> = {}): Vocabulary<Priority> {
  return new Vocabulary<Priority>({
    map,
    order: () => PRIORITIES,
    out: () => map.medium,
    back: (remote) => aliases[remote] ?? 'medium',
  });
}

/**
 * Statuses through a map; a pm status it does not name goes out as `open` (`closed` for done).
 * A remote status nothing maps to comes back as the first lane, or the last when the remote
 * says it is a closed status.
 */
function statuses(options: {
  map: Record<string, string>;
  localStatuses: () => readonly string[];
  isClosed: (remote: string) => boolean;
  open: () => string;
  closed: () => string;
}): Vocabulary {
  return new Vocabulary({
    map: options.map,
    order: options.localStatuses,
    out: (status) => (status === 'done' ? options.closed() : options.open()),
    back: (remote) => {
      const lanes = options.localStatuses();
      return (options.isClosed(remote) ? lanes[lanes.length - 1] : lanes[0]) ?? 'backlog';
    },
  });
}

/** A tracker's item types, statuses and priorities against pm's. */
export interface TrackerVocabulary {
  types: Vocabulary<ItemType>;
  statuses: Vocabulary;
  priorities: Vocabulary<Priority>;
}

/**
 * A tracker's vocabulary: its defaults with the connection's maps on top (`--map-type`,
 * `--map-status`). `open` and `closed` are the statuses pm's unmapped statuses go out as;
 * `isClosed` says which remote statuses close an item (often read from the tracker).
 */
export function trackerVocabulary(options: {
  types: Record<ItemType, string>;
  statuses: Record<string, string>;
  priorities: Record<Priority, string>;
  priorityAliases?: Record<string, Priority>;
  open: string;
  closed: string;
  mapType: Record<string, string>;
  mapStatus: Record<string, string>;
  localStatuses: readonly string[];
  isClosed: (remote: string) => boolean;
}): TrackerVocabulary {
  return {
    types: itemTypes(options.types, options.mapType),
    statuses: statuses({
      map: { ...options.statuses, ...options.mapStatus },
      localStatuses: () => options.localStatuses,
      isClosed: options.isClosed,
      open: () => options.open,
      closed: () => options.closed,
    }),
    priorities: priorities(options.priorities, options.priorityAliases),
  };
}

const identity = (fields: SyncedFields) => fields;

/** Work items: title, description, type (`tracker`), status, priority, parent and sprint. */
export function workItemMapping(v: TrackerVocabulary): Mapping<'work_items'> {
  return {
    references: { parent_id: 'work_items', sprint_id: 'sprints' },
    // `tracker` is the remote's item type (the name the first connector gave it; links keep it).
    localFields: {
      title: 'title',
      description: 'description',
      tracker: 'item_type',
      status: 'status',
      priority: 'priority',
      parent_id: 'parent_id',
      sprint_id: 'sprint_id',
    },
    project: (i: WorkItem) => ({
      title: i.title,
      description: i.description ?? '',
      tracker: v.types.toRemote(i.item_type),
      status: v.statuses.toRemote(i.status),
      priority: v.priorities.toRemote(i.priority),
      parent_id: i.parent_id,
      sprint_id: i.sprint_id,
    }),
    toLocal: (f, i) => ({
      title: f.title as string,
      description: f.description || null,
      item_type: v.types.toLocal(f.tracker as string, i?.item_type),
      status: v.statuses.toLocal(f.status as string, i?.status),
      priority: v.priorities.toLocal(f.priority as string, i?.priority),
      parent_id: f.parent_id ?? null,
      sprint_id: f.sprint_id ?? null,
    }),
    canonical: identity,
  };
}

/**
 * Sprints: name and end date always; a goal, a start date and open/closed where the remote
 * keeps them. A remote that only says open or closed keeps pm's finer status when it agrees.
 */
export function sprintMapping(shape: { goal: boolean; start: boolean; open: boolean }): Mapping<'sprints'> {
  return {
    references: {},
    localFields: {
      name: 'name',
      ...(shape.goal ? { goal: 'goal' } : {}),
      ...(shape.start ? { start: 'start_date' } : {}),
      due: 'end_date',
      ...(shape.open ? { open: 'status' } : {}),
    },
    project: (s: Sprint) => ({
      name: s.name,
      ...(shape.goal ? { goal: s.goal ?? '' } : {}),
      ...(shape.start ? { start: s.start_date } : {}),
      due: s.end_date,
      ...(shape.open ? { open: s.status === 'planned' || s.status === 'active' } : {}),
    }),
    toLocal: (f, s) => {
      const patch: LocalPatch = { name: f.name as string };
      if (shape.goal) patch.goal = f.goal || null;
      if (shape.open) {
        const open = f.open === true;
        const status: SprintStatus =
          s && (s.status === 'planned' || s.status === 'active') === open ? s.status : open ? 'active' : 'completed';
        patch.status = status;
      }
      const due = (f.due as string | null) ?? s?.end_date ?? null;
      if (due !== null) {
        const start = (shape.start ? (f.start as string | null) : null) ?? s?.start_date ?? due;
        patch.end_date = due;
        patch.start_date = start <= due ? start : due;
      }
      return patch;
    },
    canonical: identity,
  };
}

/** Dependencies: blocks or relates, between two items; a relates pair has no direction. */
export const dependencyMapping: Mapping<'dependencies'> = {
  references: { blocking: 'work_items', blocked: 'work_items' },
  localFields: { relation: 'dependency_type', blocking: 'blocking_item_id', blocked: 'blocked_item_id' },
  project: (d: Dependency) => ({
    relation: d.dependency_type === 'blocks' ? 'blocks' : 'relates',
    blocking: d.blocking_item_id,
    blocked: d.blocked_item_id,
  }),
  toLocal: (f) => ({
    dependency_type: f.relation === 'blocks' ? 'blocks' : 'relates_to',
    blocking_item_id: f.blocking as string,
    blocked_item_id: f.blocked as string,
  }),
  canonical: (fields) => {
    if (fields.relation !== 'relates') return fields;
    const [a, b] = [String(fields.blocking), String(fields.blocked)].sort();
    return { ...fields, blocking: a!, blocked: b! };
  },
};

/** Comments: their text, on an item. */
export const commentMapping: Mapping<'comments'> = {
  references: { work_item_id: 'work_items' },
  localFields: { content: 'content', work_item_id: 'work_item_id' },
  project: (c: Comment) => ({ content: c.content, work_item_id: c.work_item_id }),
  toLocal: (f) => ({ content: f.content as string, work_item_id: f.work_item_id as string }),
  canonical: identity,
};

/** Hours with two decimals, as trackers show spent time. */
export const hoursOf = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

/**
 * Time entries: hours (two decimals), the day, a description. A running timer is not time spent
 * yet. Back in pm, the entry keeps its time of day (a new one starts at 09:00 UTC).
 */
export const timeEntryMapping: Mapping<'time_entries'> = {
  references: { work_item_id: 'work_items' },
  localFields: { work_item_id: 'work_item_id', hours: 'duration_seconds', spent_on: 'started_at', description: 'description' },
  project: (t: TimeEntry) => {
    if (t.ended_at === null || t.duration_seconds === null) return null;
    return {
      work_item_id: t.work_item_id,
      hours: hoursOf(t.duration_seconds),
      spent_on: t.started_at.slice(0, 10),
      description: t.description ?? '',
    };
  },
  toLocal: (f, t) => {
    const seconds = Math.round(Number(f.hours) * 3600);
    const time = t ? t.started_at.slice(10) : 'T09:00:00.000Z';
    const started = `${f.spent_on as string}${time}`;
    return {
      work_item_id: f.work_item_id as string,
      duration_seconds: seconds,
      started_at: started,
      ended_at: new Date(Date.parse(started) + seconds * 1000).toISOString(),
      description: f.description || null,
    };
  },
  canonical: identity,
};
