import * as z from 'zod/mini';
import { FINISHED_RUN_STATUSES, type SyncRun } from '../../domain/index.js';
import type { ConnectionInfo } from '../deps.js';
import { object } from '../openapi-schemas.js';
import { route } from '../route.js';

const tag = 'sync runs';

/** How a connection is doing, from its key and its runs: what the dashboard's badge says. */
export type ConnectionStatus = 'no_key' | 'running' | 'never_run' | 'ok' | 'errors' | 'failed' | 'cancelled';

function statusOf(info: ConnectionInfo, active: SyncRun | undefined, last: SyncRun | null): ConnectionStatus {
  if (info.key === 'missing') return 'no_key';
  if (active) return 'running';
  if (!last) return 'never_run';
  if (last.status === 'completed') return 'ok';
  if (last.status === 'completed_with_errors') return 'errors';
  return last.status === 'cancelled' ? 'cancelled' : 'failed';
}

export const syncDashboardRoutes = [
  route({
    method: 'GET',
    url: '/sync/connections',
    tag,
    scope: 'read',
    summary:
      "The repository's connections (never their keys) with how they are doing: status, the active run, the last run and success, when pm serve runs them next, open failures",
    returns: () => object({ connections: { type: 'array', items: { type: 'object' } } }),
    async handler({ deps }) {
      const infos = deps.connections?.() ?? [];
      const repo = deps.store.sync;
      const active = await repo.activeRuns();
      const connections = [];
      for (const info of infos) {
        const finished =
          (await repo.listRuns({ connection: info.name, status: [...FINISHED_RUN_STATUSES], limit: 1 })).runs[0] ?? null;
        const success = (await repo.listRuns({ connection: info.name, status: ['completed'], limit: 1 })).runs[0];
        const running = active.find((r) => r.connection === info.name);
        connections.push({
          ...info,
          status: statusOf(info, running, finished),
          active_run: running ?? null,
          last_run: finished,
          last_success_at: success?.finished_at ?? null,
          open_failures: (await repo.failures({ connection: info.name, limit: 1 })).total,
        });
      }
      return { connections };
    },
  }),
  route({
    method: 'GET',
    url: '/sync/audit',
    tag,
    scope: 'read',
    summary: 'Audit entries of sync runs (requested, started, finished, cancelled; who, from where), newest first',
    query: z.strictObject({
      limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
      offset: z.optional(z.int().check(z.gte(0))),
      action: z.optional(z.string().check(z.maxLength(60))),
      run: z.optional(z.string().check(z.maxLength(60))),
    }),
    returns: () =>
      object({ entries: { type: 'array', items: { type: 'object' } }, limit: { type: 'integer' }, offset: { type: 'integer' } }),
    async handler({ deps, query }) {
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const entries = await deps.store.sync.listAudit({
        limit,
        offset,
        ...(query.action ? { action: query.action } : {}),
        ...(query.run ? { entityId: query.run } : {}),
      });
      return { entries, limit, offset };
    },
  }),
];
