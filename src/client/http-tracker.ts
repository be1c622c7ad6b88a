import type {
  Comment,
  Conflict,
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
  TimeEntryPatch,
  TimerInput,
} from '../domain/index.js';
import type {
  Board,
  ConflictChoice,
  ConflictQuery,
  ConflictResolution,
  DependencyView,
  ItemDetails,
  LaneQuery,
  MoveTarget,
  Page,
  ProjectQuery,
  ReadyFilter,
  SprintQuery,
  TimeEntryView,
  TimeQuery,
  Tracker,
  WorkItemView,
} from '../tracker/index.js';
import type { HttpClient, Query } from './http-client.js';

/** The most a list page may hold (the server's limit). */
const PAGE = 10_000;

const at = (type: string, ref: string) => `${type}/${encodeURIComponent(ref)}`;

/**
 * The Tracker through a pm server: every operation is one request (lists: one per page of
 * 10,000), answered with the values the local tracker returns, so the CLI prints the same
 * output either way. Server errors arrive as the same PmErrors, with the same messages.
 */
export class HttpTracker implements Tracker {
  constructor(private readonly http: HttpClient) {}

  private get<T>(path: string, query?: Query): Promise<T> {
    return this.http.json<T>('GET', path, query ? { query } : {});
  }

  private send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, query?: Query): Promise<T> {
    return this.http.json<T>(method, path, { ...(body === undefined ? {} : { body }), ...(query ? { query } : {}) });
  }

  /** Every record of a list, page by page. */
  private async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.get<Page<T>>(path, { ...query, limit: PAGE, offset });
      items.push(...page.items);
      if (page.items.length < PAGE || items.length >= page.total) return items;
    }
  }

  addProject = (input: NewProjectInput) => this.send<Project>('POST', 'projects', input);
  listProjects = (query: ProjectQuery = {}) => this.all<Project>('projects', { all: query.all });
  getProject = (ref: string) => this.get<Project>(at('projects', ref));
  editProject = (ref: string, patch: ProjectPatch, version?: number) =>
    this.send<Project>('PATCH', at('projects', ref), { ...patch, version });
  removeProject = (ref: string, options: { force?: boolean } = {}) =>
    this.send<Project>('DELETE', at('projects', ref), undefined, { force: options.force });

  addSprint = (input: NewSprintInput) => this.send<Sprint>('POST', 'sprints', input);
  listSprints = (query: SprintQuery = {}) => this.all<Sprint>('sprints', { project: query.project, status: query.status });
  getSprint = (ref: string, project?: string) => this.get<Sprint>(at('sprints', ref), { project });
  editSprint = (ref: string, patch: SprintPatch, version?: number) =>
    this.send<Sprint>('PATCH', at('sprints', ref), { ...patch, version });
  removeSprint = (ref: string) => this.send<Sprint>('DELETE', at('sprints', ref));
  restoreSprint = (ref: string) => this.send<Sprint>('POST', `${at('sprints', ref)}/restore`);

  addLane = (input: NewLaneInput) => this.send<SwimLane>('POST', 'swim_lanes', input);
  listLanes = (query: LaneQuery = {}) => this.all<SwimLane>('swim_lanes', { project: query.project });
  getLane = (ref: string) => this.get<SwimLane>(at('swim_lanes', ref));
  editLane = (ref: string, patch: LanePatch, version?: number) =>
    this.send<SwimLane>('PATCH', at('swim_lanes', ref), { ...patch, version });
  removeLane = (ref: string) => this.send<SwimLane>('DELETE', at('swim_lanes', ref));

  addItem = (input: NewItemInput) => this.send<WorkItemView>('POST', 'work_items', input);
  listItems = (query: ItemQuery = {}) => this.get<Page<WorkItemView>>('work_items', { ...query });
  getItem = (ref: string) => this.get<WorkItemView>(at('work_items', ref));
  itemDetails = (ref: string) => this.get<ItemDetails>(`${at('work_items', ref)}/details`);
  editItem = (ref: string, patch: ItemPatch, version?: number) =>
    this.send<WorkItemView>('PATCH', at('work_items', ref), { ...patch, version });
  moveItem = (ref: string, { rank, ...to }: MoveTarget) =>
    this.send<WorkItemView>('POST', `${at('work_items', ref)}/move`, { ...to, position: rank });
  removeItem = (ref: string) => this.send<WorkItemView>('DELETE', at('work_items', ref));
  restoreItem = (ref: string) => this.send<WorkItemView>('POST', `${at('work_items', ref)}/restore`);

  addComment = (input: NewCommentInput) => this.send<Comment>('POST', 'comments', input);
  listComments = (itemRef: string) => this.all<Comment>('comments', { item: itemRef });
  getComment = (ref: string) => this.get<Comment>(at('comments', ref));
  editComment = (ref: string, content: string, version?: number) =>
    this.send<Comment>('PATCH', at('comments', ref), { content, version });
  removeComment = (ref: string) => this.send<Comment>('DELETE', at('comments', ref));

  addDependency = (input: NewDependencyInput) => this.send<DependencyView>('POST', 'dependencies', input);
  listDependencies = (itemRef?: string) => this.all<DependencyView>('dependencies', { item: itemRef });
  getDependency = (ref: string) => this.get<DependencyView>(at('dependencies', ref));
  removeDependency = (ref: string) => this.send<DependencyView>('DELETE', at('dependencies', ref));

  startTimer = (input: TimerInput) => this.send<TimeEntryView>('POST', 'time_entries/start', input);
  stopTimer = () => this.send<TimeEntryView>('POST', 'time_entries/stop');
  addTime = (input: NewTimeEntryInput) => this.send<TimeEntryView>('POST', 'time_entries', input);
  listTime = (query: TimeQuery = {}) => this.all<TimeEntryView>('time_entries', { item: query.item, user: query.user });
  getTimeEntry = (ref: string) => this.get<TimeEntryView>(at('time_entries', ref));
  editTime = (ref: string, patch: TimeEntryPatch, version?: number) =>
    this.send<TimeEntryView>('PATCH', at('time_entries', ref), { ...patch, version });
  removeTime = (ref: string) => this.send<TimeEntryView>('DELETE', at('time_entries', ref));

  board = (query: { project?: string; sprint?: string }) =>
    this.get<Board>('board', { project: query.project, sprint: query.sprint });
  ready = async (query: ReadyFilter = {}) =>
    (
      await this.get<{ items: WorkItemView[] }>('ready', {
        project: query.project,
        assignee: query.assignee,
        sprint: query.sprint,
        limit: query.limit,
      })
    ).items;

  listConflicts = (query: ConflictQuery = {}) => this.all<Conflict>('conflicts', { all: query.all, record: query.record });
  resolveConflict = (ref: string, choice: ConflictChoice) =>
    this.send<ConflictResolution>('POST', `${at('conflicts', ref)}/resolve`, choice);
}
