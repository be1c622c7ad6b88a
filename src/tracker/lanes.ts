import {
  AlreadyExistsError,
  AmbiguousRefError,
  NotFoundError,
  StateError,
  lanePatch,
  newId,
  newLaneInput,
  newMeta,
  parseInput,
  type LanePatch,
  type NewLaneInput,
  type SwimLane,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { deleteRecord, patchRecord } from './records.js';
import { byId, resolveProject } from './refs.js';
import type { LaneQuery } from './tracker.js';

/** The lanes of a project: the shared lanes, overridden by the project's own with the same status. */
export async function lanesOf(tx: Store, projectId: string): Promise<SwimLane[]> {
  const shared = await tx.list('swim_lanes', { where: { project_id: null } });
  const own = await tx.list('swim_lanes', { where: { project_id: projectId } });
  const byStatus = new Map<string, SwimLane>();
  for (const lane of [...shared, ...own]) byStatus.set(lane.status_value, lane);
  return [...byStatus.values()].sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : 1));
}

export async function addLane(ctx: TrackerContext, tx: Store, raw: NewLaneInput): Promise<SwimLane> {
  const input = parseInput(newLaneInput, raw);
  const projectId = input.project ? (await resolveProject(tx, input.project)).id : null;
  const scope = await tx.list('swim_lanes', { where: { project_id: projectId } });
  if (scope.some((l) => l.status_value === input.status_value)) {
    throw new AlreadyExistsError(`a lane for status ${input.status_value} already exists here`, 'status_value');
  }
  const visible = projectId === null ? scope : await lanesOf(tx, projectId);
  const lane: SwimLane = {
    id: newId(),
    project_id: projectId,
    name: input.name,
    status_value: input.status_value,
    position: input.position ?? Math.max(0, ...visible.map((l) => l.position)) + 1,
    is_default: false,
    ...newMeta(authorOf(ctx)),
  };
  await tx.insert('swim_lanes', lane);
  return lane;
}

export async function listLanes(tx: Store, query: LaneQuery = {}): Promise<SwimLane[]> {
  if (query.project !== undefined) return lanesOf(tx, (await resolveProject(tx, query.project)).id);
  return tx.list('swim_lanes', {
    orderBy: [
      ['project_id', 'asc'],
      ['position', 'asc'],
    ],
  });
}

/** A lane by id, or by its status value when that names exactly one lane. */
export async function resolveLane(tx: Store, ref: string): Promise<SwimLane> {
  const found = await byId(tx, 'swim_lanes', ref);
  if (found) return found;
  const named = await tx.list('swim_lanes', { where: { status_value: ref.trim() } });
  if (named.length === 1) return named[0]!;
  if (named.length > 1)
    throw new AmbiguousRefError(
      'swim lane',
      ref,
      named.map((l) => l.id),
    );
  throw new NotFoundError('swim lane', ref);
}

export async function editLane(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  raw: LanePatch,
  expectedVersion?: number,
): Promise<SwimLane> {
  const patch = parseInput(lanePatch, raw);
  return patchRecord(ctx, tx, 'swim_lanes', await resolveLane(tx, ref), patch, expectedVersion);
}

/** Deletes a lane unless live items still sit in it. */
export async function removeLane(ctx: TrackerContext, tx: Store, ref: string): Promise<SwimLane> {
  const lane = await resolveLane(tx, ref);
  const where =
    lane.project_id === null ? { status: lane.status_value } : { status: lane.status_value, project_id: lane.project_id };
  const inUse = await tx.count('work_items', { where });
  if (inUse > 0) {
    throw new StateError(
      'has_dependents',
      `${inUse} work item${inUse === 1 ? ' is' : 's are'} in lane ${lane.status_value}: move ${inUse === 1 ? 'it' : 'them'} first`,
    );
  }
  return deleteRecord(ctx, tx, 'swim_lanes', lane);
}
