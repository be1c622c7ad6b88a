import * as z from 'zod/mini';
import { SPRINT_STATUSES, newSprintInput, sprintPatch } from '../../domain/index.js';
import { pageOf as pageSchema, recordSchema } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, refParam, withVersion } from '../schemas.js';

const tag = 'sprints';
const sprint = () => recordSchema('sprints');

export const sprintRoutes = [
  route({
    method: 'GET',
    url: '/sprints',
    tag,
    scope: 'read',
    summary: 'List sprints by project and start date',
    query: z.strictObject({ project: z.optional(refParam), status: z.optional(z.array(z.enum(SPRINT_STATUSES))), ...pageParams }),
    returns: () => pageSchema(sprint()),
    handler: async ({ tracker, query: { project, status, ...page } }) =>
      pageOf(await tracker.listSprints({ ...(project ? { project } : {}), ...(status ? { status } : {}) }), page, 'sprints'),
  }),
  route({
    method: 'GET',
    url: '/sprints/:ref',
    tag,
    scope: 'read',
    summary: 'Get a sprint by id, name or "active" (names are looked up in project, when given)',
    query: z.strictObject({ project: z.optional(refParam) }),
    returns: sprint,
    handler: ({ tracker, ref, query }) => tracker.getSprint(ref, query.project),
  }),
  route({
    method: 'POST',
    url: '/sprints',
    tag,
    scope: 'write',
    summary: 'Create a sprint',
    body: newSprintInput,
    returns: sprint,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'sprints', await tracker.addSprint(body)),
  }),
  route({
    method: 'PATCH',
    url: '/sprints/:ref',
    tag,
    scope: 'write',
    summary: 'Change a sprint; with version, only if it is still at that version',
    body: withVersion(sprintPatch),
    returns: sprint,
    handler: ({ tracker, ref, body: { version, ...patch } }) => tracker.editSprint(ref, patch, version),
  }),
  route({
    method: 'DELETE',
    url: '/sprints/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a sprint (a tombstone); its items stay, without a sprint',
    returns: sprint,
    handler: ({ tracker, ref }) => tracker.removeSprint(ref),
  }),
  route({
    method: 'POST',
    url: '/sprints/:ref/restore',
    tag,
    scope: 'write',
    summary: 'Undo a delete: the sprint lives again, with the items its delete took out of it',
    returns: sprint,
    handler: ({ tracker, ref }) => tracker.restoreSprint(ref),
  }),
];
