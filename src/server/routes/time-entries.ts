import * as z from 'zod/mini';
import { LIMITS, newTimeEntryInput, nonEmpty, timeEntryPatch, timerInput } from '../../domain/index.js';
import { pageOf as pageSchema, views } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, refParam, withVersion } from '../schemas.js';

const tag = 'time_entries';
const KEYS = ['key'];

export const timeEntryRoutes = [
  route({
    method: 'GET',
    url: '/time_entries',
    tag,
    scope: 'read',
    summary: "List time entries, all or one work item's or one person's, by start",
    query: z.strictObject({ item: z.optional(refParam), user: z.optional(nonEmpty(LIMITS.actor)), ...pageParams }),
    returns: () => pageSchema(views.timeEntry()),
    handler: async ({ tracker, query: { item, user, ...page } }) =>
      pageOf(await tracker.listTime({ ...(item ? { item } : {}), ...(user ? { user } : {}) }), page, 'time_entries', KEYS),
  }),
  route({
    method: 'GET',
    url: '/time_entries/:ref',
    tag,
    scope: 'read',
    summary: 'Get a time entry by id (or a unique tail of it)',
    returns: views.timeEntry,
    handler: ({ tracker, ref }) => tracker.getTimeEntry(ref),
  }),
  route({
    method: 'POST',
    url: '/time_entries',
    tag,
    scope: 'write',
    summary: 'Record time already spent on a work item',
    body: newTimeEntryInput,
    returns: views.timeEntry,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'time_entries', await tracker.addTime(body)),
  }),
  route({
    method: 'POST',
    url: '/time_entries/start',
    tag,
    scope: 'write',
    summary: "Start the actor's timer on a work item (one running timer per person; else 409)",
    body: timerInput,
    returns: views.timeEntry,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'time_entries', await tracker.startTimer(body)),
  }),
  route({
    method: 'POST',
    url: '/time_entries/stop',
    tag,
    scope: 'write',
    summary: "Stop the actor's running timer (409 when none runs)",
    returns: views.timeEntry,
    handler: ({ tracker }) => tracker.stopTimer(),
  }),
  route({
    method: 'PATCH',
    url: '/time_entries/:ref',
    tag,
    scope: 'write',
    summary:
      'Change when a time entry started, its duration or description (ended_at follows); with version, only if it is still at that version. A running timer has no duration to change (409)',
    body: withVersion(timeEntryPatch),
    returns: views.timeEntry,
    handler: ({ tracker, ref, body: { version, ...patch } }) => tracker.editTime(ref, patch, version),
  }),
  route({
    method: 'DELETE',
    url: '/time_entries/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a time entry (a tombstone); a running timer is discarded',
    returns: views.timeEntry,
    handler: ({ tracker, ref }) => tracker.removeTime(ref),
  }),
];
