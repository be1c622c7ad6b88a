import { VERSION } from '../../version.js';
import { object } from '../openapi-schemas.js';
import { route, type AnyRoute } from '../route.js';

const tag = 'meta';

export const healthRoute = route({
  method: 'GET',
  url: '/health',
  tag,
  scope: 'read',
  summary:
    'Whether the server can reach its database, the schema version and the uptime (503 when the database is unreachable); with a sync engine, its checks: last sync, error rate, data consistency',
  returns: () =>
    object({
      status: { enum: ['ok', 'unavailable'] },
      version: { type: 'string' },
      uptime_seconds: { type: 'number' },
      database: object({
        dialect: { enum: ['sqlite', 'postgres'] },
        reachable: { type: 'boolean' },
        schema_version: { type: 'integer' },
      }),
      sync: object({
        status: { enum: ['healthy', 'degraded', 'critical'] },
        checks: { type: 'array', items: { type: 'object' } },
      }),
    }),
  handler: async ({ deps, reply, request }) => {
    const uptime = Math.round((Date.now() - (deps.startedAt ?? Date.now())) / 1000);
    const status = { version: VERSION, uptime_seconds: uptime };
    try {
      const schemaVersion = await deps.store.read((tx) => tx.schemaVersion());
      return {
        status: 'ok',
        ...status,
        database: { dialect: deps.store.dialect, reachable: true, schema_version: schemaVersion },
        ...(deps.sync ? { sync: await deps.sync.health() } : {}),
      };
    } catch (error) {
      request.log.error({ err: error }, 'health check: database unreachable');
      reply.code(503);
      return { status: 'unavailable', ...status, database: { dialect: deps.store.dialect, reachable: false } };
    }
  },
});

/** The document is written once, on first request. */
export function openApiRoute(document: () => unknown): AnyRoute {
  let cached: string | undefined;
  return route({
    method: 'GET',
    url: '/openapi.json',
    tag,
    scope: 'read',
    summary: 'This API as an OpenAPI 3.1 document',
    returns: () => ({ type: 'object' }),
    handler: ({ reply }) => {
      cached ??= JSON.stringify(document());
      return Promise.resolve(reply.header('content-type', 'application/json; charset=utf-8').send(cached));
    },
  });
}
