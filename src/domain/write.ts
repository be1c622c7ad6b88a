import type { AnyRecord } from './entities.js';
import type { FieldClock, Meta } from './records.js';
import { nextTimestamp, toTimestamp } from './time.js';

/** Who writes and when: every write is stamped from one of these. */
export interface Author {
  actor: string;
  now: number;
}

export function newMeta(author: Author): Meta {
  const at = toTimestamp(author.now);
  return {
    version: 1,
    created_by: author.actor,
    updated_by: author.actor,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    field_updated_at: {},
  };
}

export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * One write to a record: the changed fields, a bumped version, `updated_at` never before the
 * previous write, and the write time on each changed field's clock. Null when nothing changes.
 */
export function applyPatch<R extends AnyRecord>(record: R, patch: Partial<R>, author: Author): R | null {
  const changed: string[] = [];
  const current = record as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined && !sameValue(current[field], value)) changed.push(field);
  }
  if (changed.length === 0) return null;
  const updatedAt = nextTimestamp(record.updated_at, author.now);
  const clock: FieldClock = { ...record.field_updated_at };
  const next: Record<string, unknown> = { ...record };
  for (const field of changed) {
    next[field] = (patch as Record<string, unknown>)[field];
    clock[field] = updatedAt;
  }
  return {
    ...(next as R),
    version: record.version + 1,
    updated_at: updatedAt,
    updated_by: author.actor,
    field_updated_at: sortedClock(clock),
  };
}

export function sortedClock(clock: FieldClock): FieldClock {
  const sorted: FieldClock = {};
  for (const key of Object.keys(clock).sort()) sorted[key] = clock[key]!;
  return sorted;
}

/** Deleting leaves a tombstone, so the deletion can travel to other replicas. */
export function tombstone<R extends AnyRecord>(record: R, author: Author): R {
  return applyPatch(record, { deleted_at: nextTimestamp(record.updated_at, author.now) } as Partial<R>, author) ?? record;
}
