import { formatItemKey, itemPatch, itemQuery, newItemInput, parseItemKey } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { object, pageOf as pageSchema, views } from '../openapi-schemas.js';
import { route } from '../route.js';
import { created, moveInput, withVersion } from '../schemas.js';

const tag = 'work_items';

/**
 * The hot path of get-by-key: a live item that a display key names directly, in one query,
 * as the JSON text the store makes (the bytes JSON.stringify would make of the record). Ids,
 * aliases of renumbered items, tombstones and unknown keys go through `tracker.getItem`,
 * which finds them (or fails) as everywhere else. The key of a project found by its key is
 * that key, so both ways answer the same.
 */
async function liveItemJson(store: Store, ref: string): Promise<string | undefined> {
  const parsed = parseItemKey(ref);
  if (!parsed) return undefined;
  const found = await store.itemJsonByKey(parsed.projectKey, parsed.itemNumber);
  if (!found || found.deleted) return undefined;
  return `${found.json.slice(0, -1)},"key":${JSON.stringify(formatItemKey(parsed.projectKey, parsed.itemNumber))}}`;
}

export const workItemRoutes = [
  route({
    method: 'GET',
    url: '/work_items',
    tag,
    scope: 'read',
    summary:
      'List work items: open ones unless all=true; lists are comma-separated (status=todo,review); in project and number order unless sort=-priority,updated_at; sorted and paged in the database',
    query: itemQuery,
    returns: () => pageSchema(views.workItem()),
    handler: async ({ tracker, query, reply }) =>
      reply.type('application/json; charset=utf-8').send(await tracker.listItemsJson(query)),
  }),
  route({
    method: 'GET',
    url: '/work_items/:ref',
    tag,
    scope: 'read',
    summary: 'Get a work item by display key (WEB-12) or id',
    returns: views.workItem,
    handler: async ({ tracker, ref, deps, reply }) => {
      const json = await liveItemJson(deps.store, ref);
      if (json === undefined) return tracker.getItem(ref);
      return reply.type('application/json; charset=utf-8').send(json);
    },
  }),
  route({
    method: 'GET',
    url: '/work_items/:ref/details',
    tag,
    scope: 'read',
    summary: 'A work item with its parent, children, sprint, dependencies, comments and time (what pm item show prints)',
    returns: () =>
      object({
        item: views.workItem(),
        parent: { type: ['object', 'null'] },
        children: { type: 'array' },
        sprint: { type: ['object', 'null'] },
        blocked_by: { type: 'array', items: views.dependency() },
        blocks: { type: 'array', items: views.dependency() },
        relates_to: { type: 'array', items: views.dependency() },
        comments: { type: 'array' },
        time_entries: { type: 'array' },
        total_seconds: { type: 'integer' },
        aliases: { type: 'array', items: { type: 'string' } },
      }),
    handler: ({ tracker, ref }) => tracker.itemDetails(ref),
  }),
  route({
    method: 'POST',
    url: '/work_items',
    tag,
    scope: 'write',
    summary: 'Create a work item',
    body: newItemInput,
    returns: views.workItem,
    status: 201,
    handler: async ({ tracker, body, reply }) => created(reply, 'work_items', await tracker.addItem(body)),
  }),
  route({
    method: 'PATCH',
    url: '/work_items/:ref',
    tag,
    scope: 'write',
    summary: 'Change a work item; with version, only if it is still at that version (else 409 with the current record)',
    body: withVersion(itemPatch),
    returns: views.workItem,
    handler: ({ tracker, ref, body: { version, ...patch } }) => tracker.editItem(ref, patch, version),
  }),
  route({
    method: 'POST',
    url: '/work_items/:ref/move',
    tag,
    scope: 'write',
    summary:
      'Move a work item to a lane, at a 1-based position in it or before/after another item of it (default: last); with version, only if it is still at that version',
    body: moveInput,
    returns: views.workItem,
    handler: ({ tracker, ref, body }) => tracker.moveItem(ref, { ...body, rank: body.position }),
  }),
  route({
    method: 'DELETE',
    url: '/work_items/:ref',
    tag,
    scope: 'write',
    summary: 'Delete a work item (a tombstone) and its dependencies; its children are left without a parent',
    returns: views.workItem,
    handler: ({ tracker, ref }) => tracker.removeItem(ref),
  }),
  route({
    method: 'POST',
    url: '/work_items/:ref/restore',
    tag,
    scope: 'write',
    summary: 'Undo a delete: the work item lives again, with the dependencies its delete took and its children',
    returns: views.workItem,
    handler: ({ tracker, ref }) => tracker.restoreItem(ref),
  }),
];
