import * as z from 'zod/mini';
import { MAX_LIMIT } from '../paging.js';
import { object } from '../openapi-schemas.js';
import { route } from '../route.js';

const tag = 'audit';
const DEFAULT_LIMIT = 50;
const text = z.optional(z.string().check(z.maxLength(200)));

/**
 * The audit log: sync runs (requested, started, finished, cancelled), snapshot imports and
 * exports, token changes; who, from where, newest first. Paged and answered as every list is.
 * `/sync/audit` is the same list under its first name.
 */
function auditRoute(url: string, summary: string) {
  return route({
    method: 'GET',
    url,
    tag,
    scope: 'read',
    summary,
    query: z.strictObject({
      limit: z.optional(z.int().check(z.gte(1), z.lte(MAX_LIMIT))),
      offset: z.optional(z.int().check(z.gte(0))),
      action: text,
      actor: text,
      entity_type: text,
      entity_id: text,
      /** A sync run's id: the same as entity_id. */
      run: text,
    }),
    returns: () =>
      object({
        items: { type: 'array', items: { type: 'object' } },
        total: { type: 'integer' },
        limit: { type: 'integer' },
        offset: { type: 'integer' },
      }),
    async handler({ deps, query }) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      const offset = query.offset ?? 0;
      const entityId = query.entity_id ?? query.run;
      const filters = {
        ...(query.action ? { action: query.action } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.entity_type ? { entityType: query.entity_type } : {}),
        ...(entityId ? { entityId } : {}),
      };
      const repo = deps.store.sync;
      const [items, total] = await Promise.all([repo.listAudit({ ...filters, limit, offset }), repo.countAudit(filters)]);
      return { items, total, limit, offset };
    },
  });
}

export const auditRoutes = [
  auditRoute(
    '/audit',
    'The audit log, newest first: sync runs, snapshot imports and exports, token changes (who, from where); filters action, actor, entity_type, entity_id',
  ),
  auditRoute('/sync/audit', 'The audit log under its first name: the same as /audit'),
];
