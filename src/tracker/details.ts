import { formatItemKey } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { toDependencyViews } from './dependencies.js';
import { toRef, toView } from './items.js';
import { projectKeys, resolveItem, type RefOptions } from './refs.js';
import type { ItemDetails } from './tracker.js';

/** Everything `pm item show` prints about one item, gathered in one read. */
export async function itemDetails(tx: Store, ref: string, options: RefOptions = {}): Promise<ItemDetails> {
  const item = await resolveItem(tx, ref, options);
  const keys = await projectKeys(tx);
  const parent = item.parent_id ? await tx.get('work_items', item.parent_id) : undefined;
  const children = await tx.list('work_items', {
    where: { parent_id: item.id },
    orderBy: [['item_number', 'asc']],
  });
  const sprint = item.sprint_id ? await tx.get('sprints', item.sprint_id) : undefined;
  const deps = await toDependencyViews(tx, [
    ...(await tx.list('dependencies', { where: { blocked_item_id: item.id } })),
    ...(await tx.list('dependencies', { where: { blocking_item_id: item.id } })),
  ]);
  const comments = await tx.list('comments', {
    where: { work_item_id: item.id },
    orderBy: [
      ['created_at', 'asc'],
      ['id', 'asc'],
    ],
  });
  const timeEntries = await tx.list('time_entries', {
    where: { work_item_id: item.id },
    orderBy: [['started_at', 'asc']],
  });
  const projectKey = keys.get(item.project_id) ?? '?';
  const aliases = await aliasesFor(tx, item.id, item.project_id);
  return {
    item: toView(keys, item),
    parent: parent ? toRef(keys, parent) : null,
    children: children.map((c) => toRef(keys, c)),
    sprint: sprint ? { id: sprint.id, name: sprint.name, status: sprint.status } : null,
    blocked_by: deps.filter((d) => d.dependency_type === 'blocks' && d.blocked_item_id === item.id),
    blocks: deps.filter((d) => d.dependency_type === 'blocks' && d.blocking_item_id === item.id),
    relates_to: deps.filter((d) => d.dependency_type === 'relates_to'),
    comments,
    time_entries: timeEntries,
    total_seconds: timeEntries.reduce((sum, t) => sum + (t.duration_seconds ?? 0), 0),
    aliases: aliases.map((n) => formatItemKey(projectKey, n)),
  };
}

async function aliasesFor(tx: Store, itemId: string, projectId: string): Promise<number[]> {
  const rows = await tx.listAliases(itemId);
  return rows.filter((a) => a.project_id === projectId).map((a) => a.item_number);
}
