import * as z from 'zod/mini';
import { newDependencyInput } from '../../domain/index.js';
import { pageOf as pageSchema, views } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, refParam } from '../schemas.js';

const tag = 'dependencies';
const KEYS = ['blocking_key', 'blocked_key'];

/** Dependencies are never edited: every field is fixed at creation. Delete and add instead. */
export const dependencyRoutes = [
  route({
    method: 'GET',
    url: '/dependencies',
    tag,
    scope: 'read',
    summary: "List dependencies, all or one work item's, oldest first",
    query: z.strictObject({ item: z.optional(refParam), ...pageParams }),
    returns: () => pageSchema(views.dependency()),
    handler: async ({ tracker, query: { item, ...page } }) =>
      pageOf(await tracker.listDependencies(item), page, 'dependencies', KEYS),
  }),
  route({
    method: 'GET',
    url: '/dependencies/:ref',
    tag,
    scope: 'read',
    summary: 'Get a dependency by id (or a unique tail of it)',
    returns: views.dependency,
    handler: ({ tracker, ref }) => tracker.getDependency(ref),
  }),
  route({
    method: 'POST',
    url: '/dependencies',
    tag,
    scope: 'write',
    summary: 'Record that one work item blocks (or relates to) another; blocks never form a cycle',
    body: newDependencyInput,
    returns: views.dependency,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'dependencies', await tracker.addDependency(body)),
  }),
  route({
    method: 'DELETE',
    url: '/dependencies/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a dependency (a tombstone)',
    returns: views.dependency,
    handler: ({ tracker, ref }) => tracker.removeDependency(ref),
  }),
];
