import * as z from 'zod/mini';
import { newProjectInput, projectPatch } from '../../domain/index.js';
import { pageOf as pageSchema, recordSchema } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, flag, withVersion } from '../schemas.js';

const tag = 'projects';
const project = () => recordSchema('projects');

export const projectRoutes = [
  route({
    method: 'GET',
    url: '/projects',
    tag,
    scope: 'read',
    summary: 'List projects by key: active ones, or all with all=true',
    query: z.strictObject({ all: flag, ...pageParams }),
    returns: () => pageSchema(project()),
    handler: async ({ tracker, query: { all, ...page } }) =>
      pageOf(await tracker.listProjects({ all: all ?? false }), page, 'projects'),
  }),
  route({
    method: 'GET',
    url: '/projects/:ref',
    tag,
    scope: 'read',
    summary: 'Get a project by key or id',
    returns: project,
    handler: ({ tracker, ref }) => tracker.getProject(ref),
  }),
  route({
    method: 'POST',
    url: '/projects',
    tag,
    scope: 'write',
    summary: 'Create a project',
    body: newProjectInput,
    status: 201,
    returns: project,
    handler: async ({ tracker, body, reply }) => created(reply, 'projects', await tracker.addProject(body)),
  }),
  route({
    method: 'PATCH',
    url: '/projects/:ref',
    tag,
    scope: 'write',
    summary: 'Change a project; with version, only if it is still at that version (else 409 with the current record)',
    body: withVersion(projectPatch),
    returns: project,
    handler: ({ tracker, ref, body: { version, ...patch } }) => tracker.editProject(ref, patch, version),
  }),
  route({
    method: 'DELETE',
    url: '/projects/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a project (a tombstone); with force=true also everything in it',
    query: z.strictObject({ force: flag }),
    returns: project,
    handler: ({ tracker, ref, query }) => tracker.removeProject(ref, { force: query.force ?? false }),
  }),
];
