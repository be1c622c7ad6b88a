import * as z from 'zod/mini';
import { DEPENDENCY_TYPES, ITEM_TYPES, PRIORITIES, PROJECT_STATUSES, SPRINT_STATUSES } from './enums.js';
import {
  LIMITS,
  PROJECT_KEY_MESSAGE,
  PROJECT_KEY_RE,
  dateSchema,
  nonEmpty,
  statusValueSchema,
  text,
  timestampSchema,
} from './records.js';

/**
 * What callers may ask for, validated at the edges (CLI options, HTTP bodies). References to
 * other records are strings: a display key, a name or an id, resolved by the tracker.
 */

const ref = nonEmpty(200);
const title = nonEmpty(LIMITS.title);
const name = nonEmpty(LIMITS.name);
const body = text(LIMITS.text);
const actor = nonEmpty(LIMITS.actor);
const points = z.int().check(z.gte(0), z.lte(1000));
const duration = z.int().check(z.gte(1), z.lte(30 * 24 * 3600));
const position = z.int().check(z.gte(-1_000_000_000), z.lte(1_000_000_000));
const opt = z.optional;
const maybe = <T extends z.core.SomeType>(schema: T) => z.optional(z.nullable(schema));

export const newProjectInput = z.strictObject({
  key: z.string().check(z.trim(), z.toUpperCase(), z.regex(PROJECT_KEY_RE, PROJECT_KEY_MESSAGE)),
  title,
  description: maybe(body),
});
export const projectPatch = z.strictObject({
  title: opt(title),
  description: maybe(body),
  status: opt(z.enum(PROJECT_STATUSES)),
});

export const newSprintInput = z.strictObject({
  /** Optional when the repository has exactly one project. */
  project: opt(ref),
  name,
  goal: maybe(body),
  start_date: dateSchema,
  end_date: dateSchema,
  status: opt(z.enum(SPRINT_STATUSES)),
});
export const sprintPatch = z.strictObject({
  name: opt(name),
  goal: maybe(body),
  start_date: opt(dateSchema),
  end_date: opt(dateSchema),
  status: opt(z.enum(SPRINT_STATUSES)),
});

export const newLaneInput = z.strictObject({
  project: maybe(ref),
  name,
  status_value: statusValueSchema,
  position: opt(position),
});
export const lanePatch = z.strictObject({
  name: opt(name),
  position: opt(position),
});

export const newItemInput = z.strictObject({
  /** Optional when the repository has exactly one project. */
  project: opt(ref),
  item_type: z.enum(ITEM_TYPES),
  title,
  description: maybe(body),
  parent: maybe(ref),
  status: opt(statusValueSchema),
  priority: opt(z.enum(PRIORITIES)),
  story_points: maybe(points),
  assignee: maybe(actor),
  sprint: maybe(ref),
});
export const itemPatch = z.strictObject({
  title: opt(title),
  description: maybe(body),
  item_type: opt(z.enum(ITEM_TYPES)),
  parent: maybe(ref),
  status: opt(statusValueSchema),
  priority: opt(z.enum(PRIORITIES)),
  story_points: maybe(points),
  assignee: maybe(actor),
  sprint: maybe(ref),
  position: opt(position),
});

export const itemQuery = z.strictObject({
  project: opt(ref),
  status: opt(z.array(statusValueSchema)),
  item_type: opt(z.array(z.enum(ITEM_TYPES))),
  priority: opt(z.array(z.enum(PRIORITIES))),
  sprint: opt(ref),
  assignee: opt(actor),
  parent: opt(ref),
  search: opt(z.string().check(z.maxLength(200))),
  /** Include finished items. */
  all: opt(z.boolean()),
  /** Include deleted items (tombstones). */
  deleted: opt(z.boolean()),
  limit: opt(z.int().check(z.gte(1), z.lte(10_000))),
  offset: opt(z.int().check(z.gte(0))),
  /** Comma-separated fields, `-` for descending: `-priority,updated_at` (see `parseSort`). */
  sort: opt(z.string().check(z.maxLength(200))),
});

export const newCommentInput = z.strictObject({
  item: ref,
  content: nonEmpty(LIMITS.text),
});
export const commentPatch = z.strictObject({ content: nonEmpty(LIMITS.text) });

export const newDependencyInput = z.strictObject({
  blocking: ref,
  dependency_type: z.enum(DEPENDENCY_TYPES),
  blocked: ref,
});

export const newTimeEntryInput = z.strictObject({
  item: ref,
  duration_seconds: duration,
  started_at: opt(timestampSchema),
  description: maybe(body),
});
/** `ended_at` is derived: it stays `started_at` + `duration_seconds`. */
export const timeEntryPatch = z.strictObject({
  duration_seconds: opt(duration),
  started_at: opt(timestampSchema),
  description: maybe(body),
});
export const timerInput = z.strictObject({
  item: ref,
  description: maybe(body),
});

export type NewProjectInput = z.input<typeof newProjectInput>;
export type ProjectPatch = z.output<typeof projectPatch>;
export type NewSprintInput = z.input<typeof newSprintInput>;
export type SprintPatch = z.output<typeof sprintPatch>;
export type NewLaneInput = z.input<typeof newLaneInput>;
export type LanePatch = z.output<typeof lanePatch>;
export type NewItemInput = z.input<typeof newItemInput>;
export type ItemPatch = z.output<typeof itemPatch>;
export type ItemQuery = z.output<typeof itemQuery>;
export type NewCommentInput = z.input<typeof newCommentInput>;
export type NewDependencyInput = z.input<typeof newDependencyInput>;
export type NewTimeEntryInput = z.input<typeof newTimeEntryInput>;
export type TimeEntryPatch = z.output<typeof timeEntryPatch>;
export type TimerInput = z.input<typeof timerInput>;
