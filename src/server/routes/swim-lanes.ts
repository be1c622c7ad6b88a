import * as z from 'zod/mini';
import { lanePatch, newLaneInput } from '../../domain/index.js';
import { pageOf as pageSchema, recordSchema } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, refParam, withVersion } from '../schemas.js';

const tag = 'swim_lanes';
const lane = () => recordSchema('swim_lanes');

export const laneRoutes = [
  route({
    method: 'GET',
    url: '/swim_lanes',
    tag,
    scope: 'read',
    summary: "List lanes; with project, that project's board columns in order",
    query: z.strictObject({ project: z.optional(refParam), ...pageParams }),
    returns: () => pageSchema(lane()),
    handler: async ({ tracker, query: { project, ...page } }) =>
      pageOf(await tracker.listLanes(project ? { project } : {}), page, 'swim_lanes'),
  }),
  route({
    method: 'GET',
    url: '/swim_lanes/:ref',
    tag,
    scope: 'read',
    summary: 'Get a lane by id or status value',
    returns: lane,
    handler: ({ tracker, ref }) => tracker.getLane(ref),
  }),
  route({
    method: 'POST',
    url: '/swim_lanes',
    tag,
    scope: 'write',
    summary: 'Create a lane; without project it is shared by every project',
    body: newLaneInput,
    returns: lane,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'swim_lanes', await tracker.addLane(body)),
  }),
  route({
    method: 'PATCH',
    url: '/swim_lanes/:ref',
    tag,
    scope: 'write',
    summary: 'Rename or reorder a lane; with version, only if it is still at that version',
    body: withVersion(lanePatch),
    returns: lane,
    handler: ({ tracker, ref, body: { version, ...patch } }) => tracker.editLane(ref, patch, version),
  }),
  route({
    method: 'DELETE',
    url: '/swim_lanes/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a lane that no item is in',
    returns: lane,
    handler: ({ tracker, ref }) => tracker.removeLane(ref),
  }),
];
