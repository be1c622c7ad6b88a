import * as z from 'zod/mini';
import {
  CONFLICT_RESOLUTIONS,
  CONFLICT_SIDES,
  DEPENDENCY_TYPES,
  ITEM_TYPES,
  PRIORITIES,
  PROJECT_STATUSES,
  SPRINT_STATUSES,
} from './enums.js';
import { isUuid } from './ids.js';
import { isDate, normalizeTimestamp } from './time.js';

/**
 * The records of schema version 1. The key order of each shape is the key order of the
 * snapshot file, so these schemas are both the validation and the canonical layout.
 */

export const SCHEMA_VERSION = 1;

export const LIMITS = {
  title: 500,
  name: 200,
  text: 1_048_576,
  actor: 320,
} as const;

export const PROJECT_KEY_RE = /^[A-Z][A-Z0-9]{1,9}$/;
export const STATUS_VALUE_RE = /^[a-z][a-z0-9_]{0,39}$/;

export const uuidSchema = z
  .string()
  .check(z.refine(isUuid, 'expected a lowercase UUID like 0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d'));

/** UTC ISO-8601, with or without milliseconds on input; always with them on output. */
export const timestampSchema = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const normalized = normalizeTimestamp(value);
    if (normalized === null) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `expected a UTC timestamp like 2026-01-31T09:30:00.000Z, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return normalized;
  }),
);

export const dateSchema = z.string().check(z.refine(isDate, 'expected a date like 2026-01-31'));

export const text = (max: number) => z.string().check(z.maxLength(max));
/** User input: trimmed, then not empty. */
export const nonEmpty = (max: number) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max));
/** Stored text: kept exactly as it is, but not blank. */
const notBlank = (max: number) =>
  z.string().check(
    z.refine((s: string) => s.trim() !== '', 'must not be empty'),
    z.maxLength(max),
  );

const actorSchema = z.string().check(z.minLength(1), z.maxLength(LIMITS.actor));
const titleSchema = notBlank(LIMITS.title);
const nameSchema = notBlank(LIMITS.name);
const textSchema = text(LIMITS.text);
const int = (min?: number, max?: number) =>
  z.int().check(...(min === undefined ? [] : [z.gte(min)]), ...(max === undefined ? [] : [z.lte(max)]));

/** Per-field write times: only fields written after the record was created appear here. */
export const fieldClockSchema = z.record(z.string(), timestampSchema);
export type FieldClock = Record<string, string>;

const meta = {
  version: int(1),
  created_by: actorSchema,
  updated_by: actorSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  deleted_at: z.nullable(timestampSchema),
  field_updated_at: fieldClockSchema,
};

export const PROJECT_KEY_MESSAGE = 'expected 2-10 capital letters or digits, starting with a letter (e.g. WEB)';
export const projectKeySchema = z.string().check(z.regex(PROJECT_KEY_RE, PROJECT_KEY_MESSAGE));
export const statusValueSchema = z
  .string()
  .check(z.regex(STATUS_VALUE_RE, 'expected lowercase letters, digits and _ (e.g. in_progress)'));

export const projectSchema = z.object({
  id: uuidSchema,
  key: projectKeySchema,
  title: titleSchema,
  description: z.nullable(textSchema),
  status: z.enum(PROJECT_STATUSES),
  next_work_item_number: int(1),
  ...meta,
});

export const sprintSchema = z.object({
  id: uuidSchema,
  project_id: uuidSchema,
  name: nameSchema,
  goal: z.nullable(textSchema),
  start_date: dateSchema,
  end_date: dateSchema,
  status: z.enum(SPRINT_STATUSES),
  ...meta,
});

export const swimLaneSchema = z.object({
  id: uuidSchema,
  project_id: z.nullable(uuidSchema),
  name: nameSchema,
  status_value: statusValueSchema,
  position: int(),
  is_default: z.boolean(),
  ...meta,
});

export const workItemSchema = z.object({
  id: uuidSchema,
  project_id: uuidSchema,
  parent_id: z.nullable(uuidSchema),
  item_type: z.enum(ITEM_TYPES),
  item_number: int(1),
  title: titleSchema,
  description: z.nullable(textSchema),
  status: statusValueSchema,
  priority: z.enum(PRIORITIES),
  position: int(),
  story_points: z.nullable(int(0, 1000)),
  assignee_id: z.nullable(actorSchema),
  sprint_id: z.nullable(uuidSchema),
  ...meta,
});

export const commentSchema = z.object({
  id: uuidSchema,
  work_item_id: uuidSchema,
  content: notBlank(LIMITS.text),
  ...meta,
});

export const dependencySchema = z.object({
  id: uuidSchema,
  blocking_item_id: uuidSchema,
  blocked_item_id: uuidSchema,
  dependency_type: z.enum(DEPENDENCY_TYPES),
  ...meta,
});

export const timeEntrySchema = z.object({
  id: uuidSchema,
  work_item_id: uuidSchema,
  user_id: actorSchema,
  started_at: timestampSchema,
  ended_at: z.nullable(timestampSchema),
  duration_seconds: z.nullable(int(0)),
  description: z.nullable(textSchema),
  ...meta,
});

export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A same-field decision a merge made, kept so people can see and revisit it. */
export const conflictSchema = z.object({
  id: uuidSchema,
  entity_type: z.string(),
  record_id: uuidSchema,
  field: z.string(),
  ours_value: scalarSchema,
  theirs_value: scalarSchema,
  winner: z.enum(CONFLICT_SIDES),
  reason: z.string(),
  detected_at: timestampSchema,
  resolution: z.nullable(z.enum(CONFLICT_RESOLUTIONS)),
  resolved_value: scalarSchema,
  ...meta,
});

export type Project = z.output<typeof projectSchema>;
export type Sprint = z.output<typeof sprintSchema>;
export type SwimLane = z.output<typeof swimLaneSchema>;
export type WorkItem = z.output<typeof workItemSchema>;
export type Comment = z.output<typeof commentSchema>;
export type Dependency = z.output<typeof dependencySchema>;
export type TimeEntry = z.output<typeof timeEntrySchema>;
export type Conflict = z.output<typeof conflictSchema>;
export type Scalar = z.output<typeof scalarSchema>;

export type Meta = Pick<
  Project,
  'version' | 'created_by' | 'updated_by' | 'created_at' | 'updated_at' | 'deleted_at' | 'field_updated_at'
>;
