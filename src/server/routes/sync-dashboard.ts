import { FINISHED_RUN_STATUSES, formatItemKey, type SyncRun, type SyncRunItem } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { projectKeys } from '../../tracker/index.js';
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

/** The records of sync items whose item has a display key: work items, and comments and time on them. */
const KEYED = new Set(['work_items', 'comments', 'time_entries']);

/** What a run item is labelled with: the pm item's display key, a title, and a work item's type. */
export interface ItemLabels {
  local_key: string | null;
  title: string | null;
  item_type: string | null;
}

/**
 * Sync items with what people know their records by: `local_key`, the display key of the pm
 * item they are (or hang on); `title`, the work item's title or sprint's name (of a comment or
 * time entry: its work item's); `item_type` of a work item. Null where there is none.
 */
export async function withLocalKeys<T extends Pick<SyncRunItem, 'entity_type' | 'local_id'>>(
  store: Store,
  items: readonly T[],
): Promise<(T & ItemLabels)[]> {
  const ids = (type: string) => [...new Set(items.filter((i) => i.entity_type === type && i.local_id).map((i) => i.local_id!))];
  const owners = new Map<string, string>();
  for (const type of ['comments', 'time_entries'] as const)
    for (const [id, record] of await store.getMany(type, ids(type))) owners.set(id, record.work_item_id);
  const workItems = await store.getMany('work_items', [...ids('work_items'), ...owners.values()]);
  const sprints = await store.getMany('sprints', ids('sprints'));
  const keys = await projectKeys(store);
  return items.map((item) => {
    const itemId = item.entity_type === 'work_items' ? item.local_id : owners.get(item.local_id ?? '');
    const workItem = KEYED.has(item.entity_type) && itemId ? workItems.get(itemId) : undefined;
    const projectKey = workItem ? keys.get(workItem.project_id) : undefined;
    const sprint = item.entity_type === 'sprints' ? sprints.get(item.local_id ?? '') : undefined;
    return {
      ...item,
      local_key: workItem && projectKey ? formatItemKey(projectKey, workItem.item_number) : null,
      title: workItem?.title ?? sprint?.name ?? null,
      item_type: item.entity_type === 'work_items' ? (workItem?.item_type ?? null) : null,
    };
  });
}

/**
 * A run's work items counted by their type (epic, story, …) and what happened to them, as
 * the seeds count `epics_created`, `epics_failed`: `{ story: { create: 2, failed: 1 } }`.
 */
export function countsByItemType(items: readonly (Pick<SyncRunItem, 'operation' | 'status'> & ItemLabels)[]) {
  const counts: Record<string, Record<string, number>> = {};
  for (const item of items) {
    if (item.item_type === null) continue;
    const what = item.status === 'failed' ? 'failed' : item.operation;
    const byType = (counts[item.item_type] ??= {});
    byType[what] = (byType[what] ?? 0) + 1;
  }
  return counts;
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
];
