import {
  AlreadyExistsError,
  InvariantError,
  newDependencyInput,
  newId,
  newMeta,
  parseInput,
  type Dependency,
  type NewDependencyInput,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { deleteRecord } from './records.js';
import { keyOf, projectKeys, requireById, resolveItem } from './refs.js';
import type { DependencyView } from './tracker.js';

export async function toDependencyViews(tx: Store, deps: readonly Dependency[]): Promise<DependencyView[]> {
  const ids = [...new Set(deps.flatMap((d) => [d.blocking_item_id, d.blocked_item_id]))];
  const items = await tx.getMany('work_items', ids);
  const keys = await projectKeys(tx);
  const key = (id: string) => {
    const item = items.get(id);
    return item ? keyOf(keys, item) : id;
  };
  return deps.map((d) => ({ ...d, blocking_key: key(d.blocking_item_id), blocked_key: key(d.blocked_item_id) }));
}

export async function addDependency(ctx: TrackerContext, tx: Store, raw: NewDependencyInput): Promise<DependencyView> {
  const input = parseInput(newDependencyInput, raw);
  const blocking = await resolveItem(tx, input.blocking);
  const blocked = await resolveItem(tx, input.blocked);
  if (blocking.id === blocked.id) {
    throw new InvariantError('self_reference', `${input.blocking} cannot depend on itself`, 'blocked_item_id');
  }
  const existing = [
    ...(await tx.list('dependencies', { where: { blocking_item_id: blocking.id, blocked_item_id: blocked.id } })),
    ...(await tx.list('dependencies', { where: { blocking_item_id: blocked.id, blocked_item_id: blocking.id } })),
  ];
  const same = existing.find(
    (d) =>
      d.dependency_type === input.dependency_type &&
      (d.blocking_item_id === blocking.id || input.dependency_type === 'relates_to'),
  );
  if (same) throw new AlreadyExistsError(`${input.blocking} ${input.dependency_type} ${input.blocked} already exists`);
  if (input.dependency_type === 'blocks' && (await tx.blocksReachable(blocked.id, blocking.id))) {
    throw new InvariantError(
      'dependency_cycle',
      `${input.blocking} blocks ${input.blocked} would make a cycle: ${input.blocked} already blocks ${input.blocking}${existing.length ? '' : ' (through other items)'}`,
      'blocked_item_id',
    );
  }
  const dep: Dependency = {
    id: newId(),
    blocking_item_id: blocking.id,
    blocked_item_id: blocked.id,
    dependency_type: input.dependency_type,
    ...newMeta(authorOf(ctx)),
  };
  await tx.insert('dependencies', dep);
  return (await toDependencyViews(tx, [dep]))[0]!;
}

export async function listDependencies(tx: Store, itemRef?: string): Promise<DependencyView[]> {
  let deps: Dependency[];
  if (itemRef === undefined) deps = await tx.list('dependencies', { orderBy: [['created_at', 'asc']] });
  else {
    const item = await resolveItem(tx, itemRef, { deleted: true });
    const both = [
      ...(await tx.list('dependencies', { where: { blocking_item_id: item.id } })),
      ...(await tx.list('dependencies', { where: { blocked_item_id: item.id } })),
    ];
    deps = both.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  }
  return toDependencyViews(tx, deps);
}

export async function getDependency(tx: Store, ref: string): Promise<DependencyView> {
  return (await toDependencyViews(tx, [await requireById(tx, 'dependencies', ref)]))[0]!;
}

export async function removeDependency(ctx: TrackerContext, tx: Store, ref: string): Promise<DependencyView> {
  const dep = await deleteRecord(ctx, tx, 'dependencies', await requireById(tx, 'dependencies', ref));
  return (await toDependencyViews(tx, [dep]))[0]!;
}
