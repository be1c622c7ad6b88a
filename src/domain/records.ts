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
import { lazy, once } from './lazy.js';

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

// Schemas are built on first use (see lazy.ts): `uuid()` inside this module, `uuidSchema` outside it.
const uuid = once(() =>
  z.string().check(z.refine(isUuid, 'expected a lowercase UUID like 0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d')),
);
export const uuidSchema = lazy(uuid);

/** UTC ISO-8601, with or without milliseconds on input; always with them on output. */
const timestamp = once(() =>
  z.pipe(
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
  ),
);
export const timestampSchema = lazy(timestamp);

const date = once(() => z.string().check(z.refine(isDate, 'expected a date like 2026-01-31')));
export const dateSchema = lazy(date);

export const text = (max: number) => z.string().check(z.maxLength(max));
/** User input: trimmed, then not empty. */
export const nonEmpty = (max: number) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max));
/** Stored text: kept exactly as it is, but not blank. */
const notBlank = (max: number) =>
  z.string().check(
    z.refine((s: string) => s.trim() !== '', 'must not be empty'),
    z.maxLength(max),
  );

const actor = once(() => z.string().check(z.minLength(1), z.maxLength(LIMITS.actor)));
const title = once(() => notBlank(LIMITS.title));
const name = once(() => notBlank(LIMITS.name));
const body = once(() => text(LIMITS.text));
const int = (min?: number, max?: number) =>
  z.int().check(...(min === undefined ? [] : [z.gte(min)]), ...(max === undefined ? [] : [z.lte(max)]));

/** Per-field write times: only fields written after the record was created appear here. */
const fieldClock = once(() => z.record(z.string(), timestamp()));
export const fieldClockSchema = lazy(fieldClock);
export type FieldClock = Record<string, string>;

const meta = once(() => ({
  version: int(1),
  created_by: actor(),
  updated_by: actor(),
  created_at: timestamp(),
  updated_at: timestamp(),
  deleted_at: z.nullable(timestamp()),
  field_updated_at: fieldClock(),
}));

export const PROJECT_KEY_MESSAGE = 'expected 2-10 capital letters or digits, starting with a letter (e.g. WEB)';
const projectKey = once(() => z.string().check(z.regex(PROJECT_KEY_RE, PROJECT_KEY_MESSAGE)));
export const projectKeySchema = lazy(projectKey);
const statusValue = once(() =>
  z.string().check(z.regex(STATUS_VALUE_RE, 'expected lowercase letters, digits and _ (e.g. in_progress)')),
);
export const statusValueSchema = lazy(statusValue);

export const projectSchema = lazy(() =>
  z.object({
    id: uuid(),
    key: projectKey(),
    title: title(),
    description: z.nullable(body()),
    status: z.enum(PROJECT_STATUSES),
    next_work_item_number: int(1),
    ...meta(),
  }),
);

export const sprintSchema = lazy(() =>
  z.object({
    id: uuid(),
    project_id: uuid(),
    name: name(),
    goal: z.nullable(body()),
    start_date: date(),
    end_date: date(),
    status: z.enum(SPRINT_STATUSES),
    ...meta(),
  }),
);

export const swimLaneSchema = lazy(() =>
  z.object({
    id: uuid(),
    project_id: z.nullable(uuid()),
    name: name(),
    status_value: statusValue(),
    position: int(),
    is_default: z.boolean(),
    ...meta(),
  }),
);

export const workItemSchema = lazy(() =>
  z.object({
    id: uuid(),
    project_id: uuid(),
    parent_id: z.nullable(uuid()),
    item_type: z.enum(ITEM_TYPES),
    item_number: int(1),
    title: title(),
    description: z.nullable(body()),
    status: statusValue(),
    priority: z.enum(PRIORITIES),
    position: int(),
    story_points: z.nullable(int(0, 1000)),
    assignee_id: z.nullable(actor()),
    sprint_id: z.nullable(uuid()),
    ...meta(),
  }),
);

export const commentSchema = lazy(() =>
  z.object({
    id: uuid(),
    work_item_id: uuid(),
    content: notBlank(LIMITS.text),
    ...meta(),
  }),
);

export const dependencySchema = lazy(() =>
  z.object({
    id: uuid(),
    blocking_item_id: uuid(),
    blocked_item_id: uuid(),
    dependency_type: z.enum(DEPENDENCY_TYPES),
    ...meta(),
  }),
);

export const timeEntrySchema = lazy(() =>
  z.object({
    id: uuid(),
    work_item_id: uuid(),
    user_id: actor(),
    started_at: timestamp(),
    ended_at: z.nullable(timestamp()),
    duration_seconds: z.nullable(int(0)),
    description: z.nullable(body()),
    ...meta(),
  }),
);

const scalar = once(() => z.union([z.string(), z.number(), z.boolean(), z.null()]));
export const scalarSchema = lazy(scalar);

/** A same-field decision a merge made, kept so people can see and revisit it. */
export const conflictSchema = lazy(() =>
  z.object({
    id: uuid(),
    entity_type: z.string(),
    record_id: uuid(),
    field: z.string(),
    ours_value: scalar(),
    theirs_value: scalar(),
    winner: z.enum(CONFLICT_SIDES),
    reason: z.string(),
    detected_at: timestamp(),
    resolution: z.nullable(z.enum(CONFLICT_RESOLUTIONS)),
    resolved_value: scalar(),
    ...meta(),
  }),
);

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
