import {
  formatDuration,
  shortId,
  type Comment,
  type Meta,
  type Project,
  type Sprint,
  type SwimLane,
} from '../../domain/index.js';
import type { DependencyView, TimeEntryView, WorkItemView } from '../../tracker/index.js';
import { fieldsOf, type ListView } from './list.js';
import type { Column } from './table.js';
import type { Output } from './output.js';

/** Table layouts per record type: what `list` commands print. */

export function printProjects(out: Output, projects: readonly Project[]): void {
  out.table(
    [{ header: 'KEY' }, { header: 'TITLE', flex: true }, { header: 'STATUS' }, { header: 'CREATED' }],
    projects.map((p) => [p.key, p.title, p.status, out.when(p.created_at)]),
  );
}

export function printSprints(out: Output, sprints: readonly Sprint[], projectKeys: ReadonlyMap<string, string>): void {
  out.table(
    [
      { header: 'ID' },
      { header: 'PROJECT' },
      { header: 'NAME' },
      { header: 'STATUS' },
      { header: 'START' },
      { header: 'END' },
      { header: 'GOAL', flex: true },
    ],
    sprints.map((s) => [shortId(s.id), projectKeys.get(s.project_id) ?? '', s.name, s.status, s.start_date, s.end_date, s.goal]),
  );
}

export function printLanes(out: Output, lanes: readonly SwimLane[], projectKeys: ReadonlyMap<string, string>): void {
  out.table(
    [{ header: 'ID' }, { header: 'PROJECT' }, { header: 'POS', align: 'right' }, { header: 'STATUS' }, { header: 'NAME' }],
    lanes.map((l) => [
      shortId(l.id),
      l.project_id ? (projectKeys.get(l.project_id) ?? '') : '(shared)',
      l.position,
      l.status_value,
      l.name,
    ]),
  );
}

export const PRIORITY_MARK: Record<string, string> = { low: 'low', medium: 'med', high: 'HIGH', critical: 'CRIT' };

export function printItems(out: Output, items: readonly WorkItemView[]): void {
  const columns: Column[] = [
    { header: 'KEY' },
    { header: 'TYPE' },
    { header: 'STATUS' },
    { header: 'PRI' },
    { header: 'PTS', align: 'right' },
    { header: 'TITLE', flex: true },
    { header: 'ASSIGNEE', shrink: true },
  ];
  out.table(
    columns,
    items.map((i) => [
      i.deleted_at ? `${i.key} (deleted)` : i.key,
      i.item_type,
      i.status,
      PRIORITY_MARK[i.priority],
      i.story_points,
      i.title,
      i.assignee_id,
    ]),
  );
}

export function printComments(out: Output, comments: readonly Comment[]): void {
  out.table(
    [{ header: 'ID' }, { header: 'AUTHOR', shrink: true }, { header: 'WHEN' }, { header: 'TEXT', flex: true }],
    comments.map((c) => [shortId(c.id), c.created_by, out.when(c.created_at), c.content]),
  );
}

export function printDependencies(out: Output, deps: readonly DependencyView[]): void {
  out.table(
    [{ header: 'ID' }, { header: 'ITEM' }, { header: 'TYPE' }, { header: 'OTHER' }],
    deps.map((d) => [shortId(d.id), d.blocking_key, d.dependency_type === 'blocks' ? 'blocks' : 'relates to', d.blocked_key]),
  );
}

export function printTimeEntries(out: Output, entries: readonly TimeEntryView[]): void {
  out.table(
    [
      { header: 'ID' },
      { header: 'ITEM' },
      { header: 'USER', shrink: true },
      { header: 'STARTED' },
      { header: 'DURATION', align: 'right' },
      { header: 'DESCRIPTION', flex: true },
    ],
    entries.map((t) => [
      shortId(t.id),
      t.key,
      t.user_id,
      out.when(t.started_at),
      t.ended_at === null ? 'running' : formatDuration(t.duration_seconds ?? 0),
      t.description,
    ]),
  );
}

const META = {
  version: true,
  created_by: true,
  updated_by: true,
  created_at: true,
  updated_at: true,
  deleted_at: true,
} as const satisfies Record<Exclude<keyof Meta, 'field_updated_at'>, true>;

/** What `item list`, `ls` and `ready` print. */
export const ITEM_VIEW: ListView<WorkItemView> = {
  fields: fieldsOf<WorkItemView>({
    key: true,
    id: true,
    project_id: true,
    parent_id: true,
    item_type: true,
    item_number: true,
    title: true,
    description: true,
    status: true,
    priority: true,
    position: true,
    story_points: true,
    assignee_id: true,
    sprint_id: true,
    ...META,
  }),
  table: printItems,
};

/** What `sprint list` prints; the default table shows project keys, looked up by the caller. */
export function sprintView(projectKeys: () => Promise<ReadonlyMap<string, string>>): ListView<Sprint> {
  return {
    fields: SPRINT_FIELDS,
    table: async (out, sprints) => printSprints(out, sprints, await projectKeys()),
  };
}

export const SPRINT_FIELDS = fieldsOf<Sprint>({
  id: true,
  project_id: true,
  name: true,
  goal: true,
  start_date: true,
  end_date: true,
  status: true,
  ...META,
});

/** What `time list` prints: the table ends with the total. */
export const TIME_VIEW: ListView<TimeEntryView> = {
  fields: fieldsOf<TimeEntryView>({
    id: true,
    key: true,
    work_item_id: true,
    user_id: true,
    started_at: true,
    ended_at: true,
    duration_seconds: true,
    description: true,
    ...META,
  }),
  table: (out, entries) => {
    printTimeEntries(out, entries);
    const total = entries.reduce((s, e) => s + (e.duration_seconds ?? 0), 0);
    out.line(out.c.dim(`total ${formatDuration(total)}`));
  },
};

export const PROJECT_VIEW: ListView<Project> = {
  fields: fieldsOf<Project>({
    id: true,
    key: true,
    title: true,
    description: true,
    status: true,
    next_work_item_number: true,
    ...META,
  }),
  table: printProjects,
};

/** What `lane list` prints; the default table shows project keys, looked up by the caller. */
export function laneView(projectKeys: () => Promise<ReadonlyMap<string, string>>): ListView<SwimLane> {
  return { fields: LANE_FIELDS, table: async (out, lanes) => printLanes(out, lanes, await projectKeys()) };
}

export const LANE_FIELDS = fieldsOf<SwimLane>({
  id: true,
  project_id: true,
  name: true,
  status_value: true,
  position: true,
  is_default: true,
  ...META,
});

export const COMMENT_VIEW: ListView<Comment> = {
  fields: fieldsOf<Comment>({ id: true, work_item_id: true, content: true, ...META }),
  table: printComments,
};

export const DEPENDENCY_VIEW: ListView<DependencyView> = {
  fields: fieldsOf<DependencyView>({
    id: true,
    blocking_item_id: true,
    blocked_item_id: true,
    dependency_type: true,
    blocking_key: true,
    blocked_key: true,
    ...META,
  }),
  table: printDependencies,
};
