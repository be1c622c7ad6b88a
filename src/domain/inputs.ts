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
import { lazy, once } from './lazy.js';

/**
 * What callers may ask for, validated at the edges (CLI options, HTTP bodies). References to
 * other records are strings: a display key, a name or an id, resolved by the tracker.
 */

// Built on first use (see lazy.ts): a command validates one of these, if any.
const ref = once(() => nonEmpty(200));
const title = once(() => nonEmpty(LIMITS.title));
const name = once(() => nonEmpty(LIMITS.name));
const body = once(() => text(LIMITS.text));
const actor = once(() => nonEmpty(LIMITS.actor));
const points = once(() => z.int().check(z.gte(0), z.lte(1000)));
const duration = once(() => z.int().check(z.gte(1), z.lte(30 * 24 * 3600)));
const position = once(() => z.int().check(z.gte(-1_000_000_000), z.lte(1_000_000_000)));
const opt = z.optional;
const maybe = <T extends z.core.SomeType>(schema: T) => z.optional(z.nullable(schema));

export const newProjectInput = lazy(() =>
  z.strictObject({
    key: z.string().check(z.trim(), z.toUpperCase(), z.regex(PROJECT_KEY_RE, PROJECT_KEY_MESSAGE)),
    title: title(),
    description: maybe(body()),
  }),
);
export const projectPatch = lazy(() =>
  z.strictObject({
    title: opt(title()),
    description: maybe(body()),
    status: opt(z.enum(PROJECT_STATUSES)),
  }),
);

export const newSprintInput = lazy(() =>
  z.strictObject({
    /** Optional when the repository has exactly one project. */
    project: opt(ref()),
    name: name(),
    goal: maybe(body()),
    start_date: dateSchema,
    end_date: dateSchema,
    status: opt(z.enum(SPRINT_STATUSES)),
  }),
);
export const sprintPatch = lazy(() =>
  z.strictObject({
    name: opt(name()),
    goal: maybe(body()),
    start_date: opt(dateSchema),
    end_date: opt(dateSchema),
    status: opt(z.enum(SPRINT_STATUSES)),
  }),
);

export const newLaneInput = lazy(() =>
  z.strictObject({
    project: maybe(ref()),
    name: name(),
    status_value: statusValueSchema,
    position: opt(position()),
  }),
);
export const lanePatch = lazy(() =>
  z.strictObject({
    name: opt(name()),
    position: opt(position()),
  }),
);

export const newItemInput = lazy(() =>
  z.strictObject({
    /** Optional when the repository has exactly one project. */
    project: opt(ref()),
    item_type: z.enum(ITEM_TYPES),
    title: title(),
    description: maybe(body()),
    parent: maybe(ref()),
    status: opt(statusValueSchema),
    priority: opt(z.enum(PRIORITIES)),
    story_points: maybe(points()),
    assignee: maybe(actor()),
    sprint: maybe(ref()),
  }),
);
export const itemPatch = lazy(() =>
  z.strictObject({
    title: opt(title()),
    description: maybe(body()),
    item_type: opt(z.enum(ITEM_TYPES)),
    parent: maybe(ref()),
    status: opt(statusValueSchema),
    priority: opt(z.enum(PRIORITIES)),
    story_points: maybe(points()),
    assignee: maybe(actor()),
    sprint: maybe(ref()),
    position: opt(position()),
  }),
);

export const itemQuery = lazy(() =>
  z.strictObject({
    project: opt(ref()),
    status: opt(z.array(statusValueSchema)),
    item_type: opt(z.array(z.enum(ITEM_TYPES))),
    priority: opt(z.array(z.enum(PRIORITIES))),
    sprint: opt(ref()),
    assignee: opt(actor()),
    parent: opt(ref()),
    search: opt(z.string().check(z.maxLength(200))),
    /** Include finished items. */
    all: opt(z.boolean()),
    /** Include deleted items (tombstones). */
    deleted: opt(z.boolean()),
    limit: opt(z.int().check(z.gte(1), z.lte(10_000))),
    offset: opt(z.int().check(z.gte(0))),
    /** Comma-separated fields, `-` for descending: `-priority,updated_at` (see `parseSort`). */
    sort: opt(z.string().check(z.maxLength(200))),
  }),
);

export const newCommentInput = lazy(() =>
  z.strictObject({
    item: ref(),
    content: nonEmpty(LIMITS.text),
  }),
);
export const commentPatch = lazy(() => z.strictObject({ content: nonEmpty(LIMITS.text) }));

export const newDependencyInput = lazy(() =>
  z.strictObject({
    blocking: ref(),
    dependency_type: z.enum(DEPENDENCY_TYPES),
    blocked: ref(),
  }),
);

export const newTimeEntryInput = lazy(() =>
  z.strictObject({
    item: ref(),
    duration_seconds: duration(),
    started_at: opt(timestampSchema),
    description: maybe(body()),
  }),
);
/** `ended_at` is derived: it stays `started_at` + `duration_seconds`. */
export const timeEntryPatch = lazy(() =>
  z.strictObject({
    duration_seconds: opt(duration()),
    started_at: opt(timestampSchema),
    description: maybe(body()),
  }),
);
export const timerInput = lazy(() =>
  z.strictObject({
    item: ref(),
    description: maybe(body()),
  }),
);

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
