import * as z from 'zod/mini';
import { commentPatch, newCommentInput } from '../../domain/index.js';
import { pageOf as pageSchema, recordSchema } from '../openapi-schemas.js';
import { pageOf, pageParams } from '../paging.js';
import { route } from '../route.js';
import { created, refParam, withVersion } from '../schemas.js';

const tag = 'comments';
const comment = () => recordSchema('comments');

export const commentRoutes = [
  route({
    method: 'GET',
    url: '/comments',
    tag,
    scope: 'read',
    summary: "List a work item's comments, oldest first",
    query: z.strictObject({ item: refParam, ...pageParams }),
    returns: () => pageSchema(comment()),
    handler: async ({ tracker, query: { item, ...page } }) => pageOf(await tracker.listComments(item), page, 'comments'),
  }),
  route({
    method: 'GET',
    url: '/comments/:ref',
    tag,
    scope: 'read',
    summary: 'Get a comment by id (or a unique tail of it)',
    returns: comment,
    handler: ({ tracker, ref }) => tracker.getComment(ref),
  }),
  route({
    method: 'POST',
    url: '/comments',
    tag,
    scope: 'write',
    summary: 'Comment on a work item',
    body: newCommentInput,
    returns: comment,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'comments', await tracker.addComment(body)),
  }),
  route({
    method: 'PATCH',
    url: '/comments/:ref',
    tag,
    scope: 'write',
    summary: "Change a comment's text; with version, only if it is still at that version",
    body: withVersion(commentPatch),
    returns: comment,
    handler: ({ tracker, ref, body }) => tracker.editComment(ref, body.content, body.version),
  }),
  route({
    method: 'DELETE',
    url: '/comments/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a comment (a tombstone)',
    returns: comment,
    handler: ({ tracker, ref }) => tracker.removeComment(ref),
  }),
];
