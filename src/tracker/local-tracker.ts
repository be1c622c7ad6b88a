import type {
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
  ProjectPatch,
  SprintPatch,
  TimeEntryPatch,
  TimerInput,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { board, ready } from './board.js';
import { addComment, editComment, getComment, listComments, removeComment } from './comments.js';
import { listConflicts, resolveConflict } from './conflicts.js';
import type { TrackerContext } from './context.js';
import { addDependency, getDependency, listDependencies, removeDependency } from './dependencies.js';
import { itemDetails } from './details.js';
import { addItem, editItem, getItem, listItems, listItemsJson, moveItem, removeItem, restoreItem } from './items.js';
import { addLane, editLane, listLanes, removeLane, resolveLane } from './lanes.js';
import { addProject, editProject, listProjects, removeProject } from './projects.js';
import { resolveProject } from './refs.js';
import { addSprint, editSprint, getSprint, listSprints, removeSprint, restoreSprint } from './sprints.js';
import { addTime, editTime, getTimeEntry, listTime, removeTime, startTimer, stopTimer } from './time-entries.js';
import type {
  ConflictChoice,
  ConflictQuery,
  LaneQuery,
  MoveTarget,
  ProjectQuery,
  ReadyFilter,
  SprintQuery,
  TimeQuery,
  Tracker,
} from './tracker.js';

/** The tracker on a local Store: each operation is one transaction. */
export class LocalTracker implements Tracker {
  constructor(readonly ctx: TrackerContext) {}

  private get store(): Store {
    return this.ctx.store;
  }

  private write<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.store.write(fn);
  }

  private read<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.store.read(fn);
  }

  addProject = (input: NewProjectInput) => this.write((tx) => addProject(this.ctx, tx, input));
  listProjects = (query?: ProjectQuery) => this.read((tx) => listProjects(tx, query));
  getProject = (ref: string) => this.read((tx) => resolveProject(tx, ref));
  editProject = (ref: string, patch: ProjectPatch, version?: number) =>
    this.write((tx) => editProject(this.ctx, tx, ref, patch, version));
  removeProject = (ref: string, options?: { force?: boolean }) => this.write((tx) => removeProject(this.ctx, tx, ref, options));

  addSprint = (input: NewSprintInput) => this.write((tx) => addSprint(this.ctx, tx, input));
  listSprints = (query?: SprintQuery) => this.read((tx) => listSprints(tx, query));
  getSprint = (ref: string, project?: string) => this.read((tx) => getSprint(tx, ref, project));
  editSprint = (ref: string, patch: SprintPatch, version?: number) =>
    this.write((tx) => editSprint(this.ctx, tx, ref, patch, version));
  removeSprint = (ref: string) => this.write((tx) => removeSprint(this.ctx, tx, ref));
  restoreSprint = (ref: string) => this.write((tx) => restoreSprint(this.ctx, tx, ref));

  addLane = (input: NewLaneInput) => this.write((tx) => addLane(this.ctx, tx, input));
  listLanes = (query?: LaneQuery) => this.read((tx) => listLanes(tx, query));
  getLane = (ref: string) => this.read((tx) => resolveLane(tx, ref));
  editLane = (ref: string, patch: LanePatch, version?: number) => this.write((tx) => editLane(this.ctx, tx, ref, patch, version));
  removeLane = (ref: string) => this.write((tx) => removeLane(this.ctx, tx, ref));

  addItem = (input: NewItemInput) => this.write((tx) => addItem(this.ctx, tx, input));
  listItems = (query?: ItemQuery) => this.read((tx) => listItems(this.ctx, tx, query));
  /** `listItems` as JSON text, for the server (no other Tracker answers in JSON). */
  listItemsJson = (query?: ItemQuery) => this.read((tx) => listItemsJson(this.ctx, tx, query));
  getItem = (ref: string) => this.read((tx) => getItem(tx, ref));
  itemDetails = (ref: string) => this.read((tx) => itemDetails(tx, ref));
  editItem = (ref: string, patch: ItemPatch, version?: number) => this.write((tx) => editItem(this.ctx, tx, ref, patch, version));
  moveItem = (ref: string, to: MoveTarget) => this.write((tx) => moveItem(this.ctx, tx, ref, to));
  removeItem = (ref: string) => this.write((tx) => removeItem(this.ctx, tx, ref));
  restoreItem = (ref: string) => this.write((tx) => restoreItem(this.ctx, tx, ref));

  addComment = (input: NewCommentInput) => this.write((tx) => addComment(this.ctx, tx, input));
  listComments = (itemRef: string) => this.read((tx) => listComments(tx, itemRef));
  getComment = (ref: string) => this.read((tx) => getComment(tx, ref));
  editComment = (ref: string, content: string, version?: number) =>
    this.write((tx) => editComment(this.ctx, tx, ref, content, version));
  removeComment = (ref: string) => this.write((tx) => removeComment(this.ctx, tx, ref));

  addDependency = (input: NewDependencyInput) => this.write((tx) => addDependency(this.ctx, tx, input));
  listDependencies = (itemRef?: string) => this.read((tx) => listDependencies(tx, itemRef));
  getDependency = (ref: string) => this.read((tx) => getDependency(tx, ref));
  removeDependency = (ref: string) => this.write((tx) => removeDependency(this.ctx, tx, ref));

  startTimer = (input: TimerInput) => this.write((tx) => startTimer(this.ctx, tx, input));
  stopTimer = () => this.write((tx) => stopTimer(this.ctx, tx));
  addTime = (input: NewTimeEntryInput) => this.write((tx) => addTime(this.ctx, tx, input));
  listTime = (query?: TimeQuery) => this.read((tx) => listTime(this.ctx, tx, query));
  getTimeEntry = (ref: string) => this.read((tx) => getTimeEntry(tx, ref));
  editTime = (ref: string, patch: TimeEntryPatch, version?: number) =>
    this.write((tx) => editTime(this.ctx, tx, ref, patch, version));
  removeTime = (ref: string) => this.write((tx) => removeTime(this.ctx, tx, ref));

  board = (query: { project?: string; sprint?: string }) => this.read((tx) => board(tx, query));
  ready = (query?: ReadyFilter) => this.read((tx) => ready(this.ctx, tx, query));

  listConflicts = (query?: ConflictQuery) => this.read((tx) => listConflicts(tx, query));
  resolveConflict = (ref: string, choice: ConflictChoice) => this.write((tx) => resolveConflict(this.ctx, tx, ref, choice));
}
