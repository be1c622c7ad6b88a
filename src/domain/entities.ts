import type * as z from 'zod/mini';
import {
  commentSchema,
  conflictSchema,
  dependencySchema,
  projectSchema,
  sprintSchema,
  swimLaneSchema,
  timeEntrySchema,
  workItemSchema,
  type Comment,
  type Conflict,
  type Dependency,
  type Project,
  type Sprint,
  type SwimLane,
  type TimeEntry,
  type WorkItem,
} from './records.js';

/** Entity types in foreign-key order: every reference points to an earlier type (or its own). */
export const ENTITY_TYPES = [
  'projects',
  'sprints',
  'swim_lanes',
  'work_items',
  'comments',
  'dependencies',
  'time_entries',
  'conflicts',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface EntityRecords {
  projects: Project;
  sprints: Sprint;
  swim_lanes: SwimLane;
  work_items: WorkItem;
  comments: Comment;
  dependencies: Dependency;
  time_entries: TimeEntry;
  conflicts: Conflict;
}
export type AnyRecord = EntityRecords[EntityType];

export interface Reference {
  field: string;
  target: EntityType;
}

export interface EntitySpec<E extends EntityType = EntityType> {
  type: E;
  /** Singular, for messages: "work item". */
  label: string;
  schema: z.ZodMiniType<EntityRecords[E], unknown>;
  /** All fields in canonical order. */
  fields: readonly (keyof EntityRecords[E] & string)[];
  /** Fields set once at creation. */
  immutable: readonly string[];
  /** Counters that merge by taking the larger value instead of the newer write. */
  counters: readonly string[];
  references: readonly Reference[];
}

/** Fields every record carries that merges derive rather than decide field by field. */
export const META_FIELDS = ['version', 'created_by', 'updated_by', 'created_at', 'updated_at', 'field_updated_at'] as const;

/** Every record's fields after its own, in schema order. */
const RECORD_META = ['version', 'created_by', 'updated_by', 'created_at', 'updated_at', 'deleted_at', 'field_updated_at'];

/**
 * `fields` are the schema's keys, written out so that reading rows never builds a schema (they
 * are built on first use); a test holds the two equal.
 */
function spec<E extends EntityType>(
  type: E,
  label: string,
  schema: z.ZodMiniObject & z.ZodMiniType<EntityRecords[E], unknown>,
  own: readonly (keyof EntityRecords[E] & string)[],
  immutable: readonly string[],
  references: readonly Reference[],
  counters: readonly string[] = [],
): EntitySpec<E> {
  const fields = ['id', ...own, ...RECORD_META] as (keyof EntityRecords[E] & string)[];
  return { type, label, schema, fields, immutable: ['id', ...immutable], counters, references };
}

export const ENTITIES: { readonly [E in EntityType]: EntitySpec<E> } = {
  projects: spec(
    'projects',
    'project',
    projectSchema,
    ['key', 'title', 'description', 'status', 'next_work_item_number'],
    [],
    [],
    ['next_work_item_number'],
  ),
  sprints: spec(
    'sprints',
    'sprint',
    sprintSchema,
    ['project_id', 'name', 'goal', 'start_date', 'end_date', 'status'],
    ['project_id'],
    [{ field: 'project_id', target: 'projects' }],
  ),
  swim_lanes: spec(
    'swim_lanes',
    'swim lane',
    swimLaneSchema,
    ['project_id', 'name', 'status_value', 'position', 'is_default'],
    ['project_id'],
    [{ field: 'project_id', target: 'projects' }],
  ),
  work_items: spec(
    'work_items',
    'work item',
    workItemSchema,
    [
      'project_id',
      'parent_id',
      'item_type',
      'item_number',
      'title',
      'description',
      'status',
      'priority',
      'position',
      'story_points',
      'assignee_id',
      'sprint_id',
    ],
    ['project_id'],
    [
      { field: 'project_id', target: 'projects' },
      { field: 'parent_id', target: 'work_items' },
      { field: 'sprint_id', target: 'sprints' },
    ],
  ),
  comments: spec(
    'comments',
    'comment',
    commentSchema,
    ['work_item_id', 'content'],
    ['work_item_id'],
    [{ field: 'work_item_id', target: 'work_items' }],
  ),
  dependencies: spec(
    'dependencies',
    'dependency',
    dependencySchema,
    ['blocking_item_id', 'blocked_item_id', 'dependency_type'],
    ['blocking_item_id', 'blocked_item_id', 'dependency_type'],
    [
      { field: 'blocking_item_id', target: 'work_items' },
      { field: 'blocked_item_id', target: 'work_items' },
    ],
  ),
  time_entries: spec(
    'time_entries',
    'time entry',
    timeEntrySchema,
    ['work_item_id', 'user_id', 'started_at', 'ended_at', 'duration_seconds', 'description'],
    ['work_item_id', 'user_id'],
    [{ field: 'work_item_id', target: 'work_items' }],
  ),
  conflicts: spec(
    'conflicts',
    'conflict',
    conflictSchema,
    [
      'entity_type',
      'record_id',
      'field',
      'ours_value',
      'theirs_value',
      'winner',
      'reason',
      'detected_at',
      'resolution',
      'resolved_value',
    ],
    ['entity_type', 'record_id', 'field', 'ours_value', 'theirs_value', 'winner', 'reason', 'detected_at'],
    [],
  ),
};

/** Fields decided per field by the newer write when two replicas disagree. */
export function clockedFields(type: EntityType): readonly string[] {
  const entity = ENTITIES[type];
  const cached = clockedCache.get(type);
  if (cached) return cached;
  const skip = new Set<string>([...entity.immutable, ...entity.counters, ...META_FIELDS]);
  const result = entity.fields.filter((f) => !skip.has(f));
  clockedCache.set(type, result);
  return result;
}
const clockedCache = new Map<EntityType, readonly string[]>();

export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}
