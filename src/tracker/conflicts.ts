import {
  ENTITIES,
  InvariantError,
  NotFoundError,
  ValidationError,
  applyPatch,
  isEntityType,
  isUuid,
  toIssues,
  type AnyRecord,
  type Conflict,
  type Dependency,
  type Scalar,
  type WorkItem,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { patchRecord } from './records.js';
import { requireById, resolveItem } from './refs.js';
import type { ConflictChoice, ConflictQuery, ConflictResolution } from './tracker.js';

/** Recorded merge decisions: unresolved ones unless `all`; for one record (id or item key) when asked. */
export async function listConflicts(tx: Store, query: ConflictQuery = {}): Promise<Conflict[]> {
  const ref = query.record;
  const recordId = ref === undefined ? undefined : isUuid(ref) ? ref : (await resolveItem(tx, ref, { deleted: true })).id;
  return tx.list('conflicts', {
    where: {
      ...(query.all ? {} : { resolution: null }),
      ...(recordId === undefined ? {} : { record_id: recordId }),
    },
    orderBy: [
      ['detected_at', 'asc'],
      ['id', 'asc'],
    ],
  });
}

/** A value typed on the command line, read as the field's type: numbers, null, booleans. */
function typed(current: unknown, value: Scalar): Scalar {
  if (typeof value !== 'string') return value;
  if (value === 'null') return null;
  if (typeof current === 'number' && /^-?\d+$/.test(value)) return Number(value);
  if (typeof current === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * Settles a conflict: the record's field gets the chosen value as an ordinary edit (so it
 * syncs like any other), and the conflict remembers how it was settled.
 */
export async function resolveConflict(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  choice: ConflictChoice,
): Promise<ConflictResolution> {
  const conflict = await requireById(tx, 'conflicts', ref, { deleted: true });
  const type = conflict.entity_type;
  if (!isEntityType(type) || type === 'conflicts')
    throw new ValidationError([{ path: 'entity_type', message: `cannot resolve a conflict on ${type}` }]);
  const record = (await tx.get(type, conflict.record_id)) as AnyRecord | undefined;
  if (!record) throw new NotFoundError(ENTITIES[type].label, conflict.record_id);
  const current = (record as unknown as Record<string, unknown>)[conflict.field];
  const value =
    'take' in choice ? (choice.take === 'ours' ? conflict.ours_value : conflict.theirs_value) : typed(current, choice.value);
  const patched = applyPatch(record, { [conflict.field]: value }, authorOf(ctx)) ?? record;
  const check = ENTITIES[type].schema.safeParse(patched);
  if (!check.success) throw new ValidationError(toIssues(check.error));
  await assertStillValid(tx, type, patched);
  if (patched !== record) await tx.update(type, patched as never);
  const settled = await patchRecord(ctx, tx, 'conflicts', conflict, {
    resolution: 'take' in choice ? choice.take : 'value',
    resolved_value: value,
  });
  return { conflict: settled, record: patched };
}

/** The invariants a resolution can break: a parent loop, or bringing back a dependency that closes a cycle. */
async function assertStillValid(tx: Store, type: string, record: AnyRecord): Promise<void> {
  if (type === 'work_items') {
    const item = record as WorkItem;
    if (item.parent_id === null) return;
    const parent = await tx.get('work_items', item.parent_id);
    if (parent && parent.project_id !== item.project_id)
      throw new InvariantError('cross_project_parent', 'the parent is in another project', 'parent_id');
    if (item.parent_id === item.id || (await tx.ancestorIds(item.parent_id)).includes(item.id)) {
      throw new InvariantError('parent_cycle', 'this parent would make the parent chain loop', 'parent_id');
    }
  }
  if (type === 'dependencies') {
    const dep = record as Dependency;
    if (
      dep.deleted_at === null &&
      dep.dependency_type === 'blocks' &&
      (await tx.blocksReachable(dep.blocked_item_id, dep.blocking_item_id))
    ) {
      throw new InvariantError('dependency_cycle', 'bringing this dependency back would close a blocks cycle', 'deleted_at');
    }
  }
}
