import type {
  AnyRecord,
  Comment,
  Conflict,
  Dependency,
  ItemPatch,
  ItemQuery,
  LanePatch,
  NewCommentInput,
  NewDependencyInput,
  NewItemInput,
  NewLaneInput,
  NewProjectInput,
  NewSprintInput,
  NewTimeEntryInput,
  Project,
  ProjectPatch,
  Sprint,
  SprintPatch,
  SwimLane,
  TimeEntry,
  TimeEntryPatch,
  TimerInput,
  WorkItem,
} from '../domain/index.js';

/** A work item as people see it: with its display key. */
export type WorkItemView = WorkItem & { key: string };

/** What `ready` narrows to: assignee `me` is the actor; assignee or sprint `none` means without one. */
export interface ReadyFilter {
  project?: string;
  assignee?: string;
  sprint?: string;
  limit?: number;
}

export interface ItemRef {
  id: string;
  key: string;
  title: string;
  status: string;
}

export interface DependencyView extends Dependency {
  blocking_key: string;
  blocked_key: string;
}

export interface ItemDetails {
  item: WorkItemView;
  parent: ItemRef | null;
  children: ItemRef[];
  sprint: Pick<Sprint, 'id' | 'name' | 'status'> | null;
  blocked_by: DependencyView[];
  blocks: DependencyView[];
  relates_to: DependencyView[];
  comments: Comment[];
  time_entries: TimeEntry[];
  total_seconds: number;
  /** Keys this item was known by before a merge renumbered it. */
  aliases: string[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface BoardColumn {
  lane: SwimLane;
  items: WorkItemView[];
}

export interface Board {
  project: Project;
  sprint: Sprint | null;
  columns: BoardColumn[];
  /** Items whose status has no lane. */
  unplaced: WorkItemView[];
}

export interface ProjectQuery {
  all?: boolean;
}
export interface SprintQuery {
  project?: string;
  status?: string[];
}
export interface LaneQuery {
  project?: string;
}
export interface TimeQuery {
  item?: string;
  user?: string;
}
export interface ConflictQuery {
  all?: boolean;
  record?: string;
}

/**
 * Where an item moves: a lane, and a place in it — a 1-based rank, or next to another item of
 * that lane (what a filtered board knows); by default the end. With `version`, only if the item
 * is still at that version (else a version conflict).
 */
export interface MoveTarget {
  status: string;
  rank?: number;
  before?: string;
  after?: string;
  version?: number;
}

/** How to settle a recorded conflict: keep one side's value, or set another. */
export type ConflictChoice = { take: 'ours' | 'theirs' } | { value: string | number | boolean | null };

export interface ConflictResolution {
  conflict: Conflict;
  /** The record as it is after the resolution (an ordinary edit). */
  record: AnyRecord;
}

/** A time entry with its item's display key. */
export type TimeEntryView = TimeEntry & { key: string };

/**
 * Every operation pm offers on its data. The local tracker runs them on a Store; the HTTP
 * client runs them through a pm server. Both return the same values, so output is the same.
 */
export interface Tracker {
  addProject(input: NewProjectInput): Promise<Project>;
  listProjects(query?: ProjectQuery): Promise<Project[]>;
  getProject(ref: string): Promise<Project>;
  editProject(ref: string, patch: ProjectPatch, expectedVersion?: number): Promise<Project>;
  removeProject(ref: string, options?: { force?: boolean }): Promise<Project>;

  addSprint(input: NewSprintInput): Promise<Sprint>;
  listSprints(query?: SprintQuery): Promise<Sprint[]>;
  getSprint(ref: string, project?: string): Promise<Sprint>;
  editSprint(ref: string, patch: SprintPatch, expectedVersion?: number): Promise<Sprint>;
  removeSprint(ref: string): Promise<Sprint>;
  /** Undoes removeSprint, with the items its delete took out of it; a live sprint is returned as it is. */
  restoreSprint(ref: string): Promise<Sprint>;

  addLane(input: NewLaneInput): Promise<SwimLane>;
  listLanes(query?: LaneQuery): Promise<SwimLane[]>;
  /** A lane by id (or a unique tail of it), or by its status value when that names one lane. */
  getLane(ref: string): Promise<SwimLane>;
  editLane(ref: string, patch: LanePatch, expectedVersion?: number): Promise<SwimLane>;
  removeLane(ref: string): Promise<SwimLane>;

  addItem(input: NewItemInput): Promise<WorkItemView>;
  listItems(query?: ItemQuery): Promise<Page<WorkItemView>>;
  getItem(ref: string): Promise<WorkItemView>;
  itemDetails(ref: string): Promise<ItemDetails>;
  editItem(ref: string, patch: ItemPatch, expectedVersion?: number): Promise<WorkItemView>;
  moveItem(ref: string, to: MoveTarget): Promise<WorkItemView>;
  removeItem(ref: string): Promise<WorkItemView>;
  /** Undoes removeItem; a live item is returned as it is. */
  restoreItem(ref: string): Promise<WorkItemView>;

  addComment(input: NewCommentInput): Promise<Comment>;
  listComments(itemRef: string): Promise<Comment[]>;
  getComment(ref: string): Promise<Comment>;
  editComment(ref: string, content: string, expectedVersion?: number): Promise<Comment>;
  removeComment(ref: string): Promise<Comment>;

  addDependency(input: NewDependencyInput): Promise<DependencyView>;
  listDependencies(itemRef?: string): Promise<DependencyView[]>;
  getDependency(ref: string): Promise<DependencyView>;
  removeDependency(ref: string): Promise<DependencyView>;

  startTimer(input: TimerInput): Promise<TimeEntryView>;
  stopTimer(): Promise<TimeEntryView>;
  addTime(input: NewTimeEntryInput): Promise<TimeEntryView>;
  listTime(query?: TimeQuery): Promise<TimeEntryView[]>;
  getTimeEntry(ref: string): Promise<TimeEntryView>;
  /** Changes a time entry; `ended_at` follows `started_at` + duration. A running timer's duration cannot be set. */
  editTime(ref: string, patch: TimeEntryPatch, expectedVersion?: number): Promise<TimeEntryView>;
  removeTime(ref: string): Promise<TimeEntryView>;

  board(query: { project?: string; sprint?: string }): Promise<Board>;
  ready(query?: ReadyFilter): Promise<WorkItemView[]>;

  listConflicts(query?: ConflictQuery): Promise<Conflict[]>;
  resolveConflict(ref: string, choice: ConflictChoice): Promise<ConflictResolution>;
}
