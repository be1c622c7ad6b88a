import {
  ENTITIES,
  VersionConflictError,
  applyPatch,
  type AnyRecord,
  type EntityRecords,
  type EntityType,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';

/** Refuses a write made against an older version than the stored one. */
export function checkVersion(type: EntityType, record: AnyRecord, expected: number | undefined): void {
  if (expected !== undefined && record.version !== expected) {
    throw new VersionConflictError(ENTITIES[type].label, expected, record);
  }
}

/** Applies a patch as one write and stores it; returns the record as it now is. */
export async function patchRecord<E extends EntityType>(
  ctx: TrackerContext,
  tx: Store,
  type: E,
  record: EntityRecords[E],
  patch: Partial<EntityRecords[E]>,
  expectedVersion?: number,
): Promise<EntityRecords[E]> {
  checkVersion(type, record, expectedVersion);
  const next = applyPatch(record, patch, authorOf(ctx));
  if (!next) return record;
  await tx.update(type, next);
  return next;
}

export async function deleteRecord<E extends EntityType>(
  ctx: TrackerContext,
  tx: Store,
  type: E,
  record: EntityRecords[E],
  at: string = new Date(ctx.clock()).toISOString(),
): Promise<EntityRecords[E]> {
  return patchRecord(ctx, tx, type, record, { deleted_at: at } as Partial<EntityRecords[E]>);
}
