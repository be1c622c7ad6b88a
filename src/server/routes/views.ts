import * as z from 'zod/mini';
import { scalarSchema } from '../../domain/index.js';
import { recordSchema, object, pageOf as pageSchema, views } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { flag, refParam } from '../schemas.js';

const tag = 'views';

export const viewRoutes = [
  route({
    method: 'GET',
    url: '/board',
    tag,
    scope: 'read',
    summary:
      "A project's board: one column per lane (the given sprint, all items, or none: those in no sprint; by default the active sprint, else every item)",
    query: z.strictObject({ project: z.optional(refParam), sprint: z.optional(refParam) }),
    returns: () =>
      object({
        project: recordSchema('projects'),
        sprint: { oneOf: [recordSchema('sprints'), { type: 'null' }] },
        columns: {
          type: 'array',
          items: object({ lane: recordSchema('swim_lanes'), items: { type: 'array', items: views.workItem() } }),
        },
        unplaced: { type: 'array', items: views.workItem(), description: 'items whose status has no lane' },
      }),
    handler: ({ tracker, query }) => tracker.board(query),
  }),
  route({
    method: 'GET',
    url: '/ready',
    tag,
    scope: 'read',
    summary: 'Open work items that nothing open blocks, most urgent first',
    query: z.strictObject({
      project: z.optional(refParam),
      assignee: z.optional(refParam),
      sprint: z.optional(refParam),
      limit: pageParams.limit,
    }),
    returns: () => object({ items: { type: 'array', items: views.workItem() } }),
    handler: async ({ tracker, query }) => ({ items: await tracker.ready(query) }),
  }),
  route({
    method: 'GET',
    url: '/conflicts',
    tag,
    scope: 'read',
    summary: 'Same-field edits a merge decided: unresolved ones unless all=true; record narrows to one item or record',
    query: z.strictObject({ all: flag, record: z.optional(refParam), ...pageParams }),
    returns: () => pageSchema(recordSchema('conflicts')),
    handler: async ({ tracker, query: { all, record, ...page } }) =>
      pageOf(await tracker.listConflicts({ all: all ?? false, ...(record ? { record } : {}) }), page, 'conflicts'),
  }),
  route({
    method: 'POST',
    url: '/conflicts/:ref/resolve',
    tag,
    scope: 'write',
    summary: 'Settle a conflict: take ours, theirs, or another value (an ordinary edit of the record, which syncs)',
    body: z.union([z.strictObject({ take: z.enum(['ours', 'theirs']) }), z.strictObject({ value: scalarSchema })]),
    returns: () => object({ conflict: recordSchema('conflicts'), record: { type: 'object' } }),
    handler: ({ tracker, ref, body }) => tracker.resolveConflict(ref, body),
  }),
];
