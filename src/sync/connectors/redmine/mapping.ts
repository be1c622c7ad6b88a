import type {
  AnyRecord,
  Comment,
  Dependency,
  ItemType,
  Priority,
  Sprint,
  SprintStatus,
  TimeEntry,
  WorkItem,
} from '../../../domain/index.js';
import type { LocalPatch, SyncedFields, SyncedType } from '../sdk/connector.js';

/**
 * pm ↔ Redmine, field by field, without I/O. Where Redmine has fewer values than pm (a version
 * is open or closed; several pm statuses may share one Redmine status), a local value that
 * already maps to the remote one is kept, so a round trip never changes it.
 */

export const DEFAULT_TYPE_MAP: Record<ItemType, string> = { epic: 'Feature', story: 'Support', task: 'Bug' };
export const DEFAULT_STATUS_MAP: Record<string, string> = {
  backlog: 'New',
  todo: 'New',
  in_progress: 'In Progress',
  review: 'Feedback',
  done: 'Closed',
};
export const PRIORITY_MAP: Record<Priority, string> = { low: 'Low', medium: 'Normal', high: 'High', critical: 'Urgent' };
const PRIORITY_BACK: Record<string, Priority> = {
  Low: 'low',
  Normal: 'medium',
  High: 'high',
  Urgent: 'critical',
  Immediate: 'critical',
};

export const REFERENCES = {
  sprints: {},
  work_items: { parent_id: 'work_items', sprint_id: 'sprints' },
  dependencies: { blocking: 'work_items', blocked: 'work_items' },
  comments: { work_item_id: 'work_items' },
  time_entries: { work_item_id: 'work_items' },
} as const satisfies Record<SyncedType, Record<string, SyncedType>>;

/** The pm field behind each synced field. */
export const LOCAL_FIELDS = {
  sprints: { name: 'name', goal: 'goal', due: 'end_date', open: 'status' },
  work_items: {
    title: 'title',
    description: 'description',
    tracker: 'item_type',
    status: 'status',
    priority: 'priority',
    parent_id: 'parent_id',
    sprint_id: 'sprint_id',
  },
  dependencies: { relation: 'dependency_type', blocking: 'blocking_item_id', blocked: 'blocked_item_id' },
  comments: { content: 'content', work_item_id: 'work_item_id' },
  time_entries: { work_item_id: 'work_item_id', hours: 'duration_seconds', spent_on: 'started_at', description: 'description' },
} as const satisfies Record<SyncedType, Record<string, string>>;

export interface Maps {
  type: Record<string, string>;
  status: Record<string, string>;
  /** pm statuses in board order: the first mapping to a Redmine status is its way back. */
  localStatuses: readonly string[];
  /** Redmine statuses that close an issue. */
  closedStatuses: ReadonlySet<string>;
}

function firstKeyFor(map: Record<string, string>, value: string, order: readonly string[]): string | undefined {
  return order.find((k) => map[k] === value) ?? Object.keys(map).find((k) => map[k] === value);
}

/** The Redmine status a pm status goes out as; one the map does not name goes out as New (Closed for done). */
function remoteStatusOf(status: string, maps: Maps): string {
  return maps.status[status] ?? (status === 'done' ? 'Closed' : 'New');
}

const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;
const day = (timestamp: string) => timestamp.slice(0, 10);

/** A local record's synced fields, references as local ids; null for what is not synced. */
export function project(type: SyncedType, record: AnyRecord, maps: Maps): SyncedFields | null {
  switch (type) {
    case 'sprints': {
      const s = record as Sprint;
      return { name: s.name, goal: s.goal ?? '', due: s.end_date, open: s.status === 'planned' || s.status === 'active' };
    }
    case 'work_items': {
      const i = record as WorkItem;
      return {
        title: i.title,
        description: i.description ?? '',
        tracker: maps.type[i.item_type] ?? DEFAULT_TYPE_MAP[i.item_type],
        status: remoteStatusOf(i.status, maps),
        priority: PRIORITY_MAP[i.priority],
        parent_id: i.parent_id,
        sprint_id: i.sprint_id,
      };
    }
    case 'dependencies': {
      const d = record as Dependency;
      return {
        relation: d.dependency_type === 'blocks' ? 'blocks' : 'relates',
        blocking: d.blocking_item_id,
        blocked: d.blocked_item_id,
      };
    }
    case 'comments':
      return { content: (record as Comment).content, work_item_id: (record as Comment).work_item_id };
    case 'time_entries': {
      const t = record as TimeEntry;
      if (t.ended_at === null || t.duration_seconds === null) return null; // a running timer is not time spent yet
      return {
        work_item_id: t.work_item_id,
        hours: hours(t.duration_seconds),
        spent_on: day(t.started_at),
        description: t.description ?? '',
      };
    }
  }
}

/** The pm fields for these synced fields, keeping what already maps to them. */
export function toLocal(type: SyncedType, f: SyncedFields, current: AnyRecord | undefined, maps: Maps): LocalPatch {
  switch (type) {
    case 'sprints': {
      const s = current as Sprint | undefined;
      const open = f.open === true;
      const status: SprintStatus =
        s && (s.status === 'planned' || s.status === 'active') === open ? s.status : open ? 'active' : 'completed';
      const due = (f.due as string | null) ?? s?.end_date ?? null;
      return {
        name: f.name as string,
        goal: f.goal || null,
        status,
        ...(due !== null ? { end_date: due, start_date: s && s.start_date <= due ? s.start_date : due } : {}),
      };
    }
    case 'work_items': {
      const i = current as WorkItem | undefined;
      const tracker = f.tracker as string;
      const itemType =
        i && (maps.type[i.item_type] ?? DEFAULT_TYPE_MAP[i.item_type]) === tracker
          ? i.item_type
          : ((firstKeyFor(maps.type, tracker, ['epic', 'story', 'task']) ?? 'task') as ItemType);
      const remoteStatus = f.status as string;
      const status =
        i && remoteStatusOf(i.status, maps) === remoteStatus
          ? i.status
          : (firstKeyFor(maps.status, remoteStatus, maps.localStatuses) ??
            (maps.closedStatuses.has(remoteStatus)
              ? maps.localStatuses[maps.localStatuses.length - 1]!
              : maps.localStatuses[0]!));
      const priority =
        i && PRIORITY_MAP[i.priority] === f.priority ? i.priority : (PRIORITY_BACK[f.priority as string] ?? 'medium');
      return {
        title: f.title as string,
        description: f.description || null,
        item_type: itemType,
        status,
        priority,
        parent_id: f.parent_id ?? null,
        sprint_id: f.sprint_id ?? null,
      };
    }
    case 'dependencies':
      return {
        dependency_type: f.relation === 'blocks' ? 'blocks' : 'relates_to',
        blocking_item_id: f.blocking as string,
        blocked_item_id: f.blocked as string,
      };
    case 'comments':
      return { content: f.content as string, work_item_id: f.work_item_id as string };
    case 'time_entries': {
      const t = current as TimeEntry | undefined;
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
    }
  }
}

/** Parses `epic=Feature,story=Support` (from the command line) into a map. */
export function parseMap(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [k, ...v] = pair.split('=');
    if (k?.trim() && v.length) map[k.trim()] = v.join('=').trim();
  }
  return map;
}
