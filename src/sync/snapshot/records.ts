import * as z from 'zod/mini';
import { ENTITIES, clockedFields, toIssues, type AnyRecord, type EntityType } from '../../domain/index.js';

/**
 * Turns a record read from a file into a valid record of our schema, or the list of what is
 * wrong with it. Fields the source documents leave out (`version`, `updated_by`,
 * `field_updated_at`, a dependency's `updated_at` …) get defaults, so their files import too.
 */

export interface FieldIssue {
  field: string;
  message: string;
}

export type Normalized = { ok: true; record: AnyRecord } | { ok: false; issues: FieldIssue[] };

const compiled = new Map<EntityType, z.ZodMiniType>();
function schemaOf(type: EntityType): z.ZodMiniType {
  let schema = compiled.get(type);
  if (!schema) {
    schema = z.compile(ENTITIES[type].schema);
    compiled.set(type, schema);
  }
  return schema;
}

/** Fills in what the source documents' files leave out (the object is the caller's to change). */
function withDefaults(type: EntityType, record: Record<string, unknown>): Record<string, unknown> {
  record.version ??= 1;
  record.created_by ??= typeof record.user_id === 'string' ? record.user_id : 'unknown';
  record.updated_by ??= record.created_by;
  record.updated_at ??= record.created_at;
  record.deleted_at ??= null;
  if (record.field_updated_at === undefined) {
    // A file without per-field clocks: every field counts as written at the record's updated_at.
    const clock: Record<string, unknown> = {};
    if (record.updated_at !== record.created_at) for (const field of clockedFields(type)) clock[field] = record.updated_at;
    record.field_updated_at = clock;
  }
  if (type === 'swim_lanes') record.is_default ??= false;
  return record;
}

export function normalizeRecord(type: EntityType, raw: unknown): Normalized {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [
        { field: '', message: `expected an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` },
      ],
    };
  }
  const result = schemaOf(type).safeParse(withDefaults(type, raw as Record<string, unknown>), { reportInput: true });
  if (!result.success) {
    return { ok: false, issues: toIssues(result.error).map((i) => ({ field: i.path, message: i.message })) };
  }
  const record = result.data as AnyRecord;
  const problem = recordInvariant(type, record);
  return problem ? { ok: false, issues: [problem] } : { ok: true, record };
}

/** Invariants one record can break on its own. */
function recordInvariant(type: EntityType, record: AnyRecord): FieldIssue | undefined {
  const r = record as unknown as Record<string, unknown>;
  switch (type) {
    case 'sprints':
      return (r.end_date as string) < (r.start_date as string)
        ? { field: 'end_date', message: `ends (${String(r.end_date)}) before it starts (${String(r.start_date)})` }
        : undefined;
    case 'work_items':
      return r.parent_id === r.id ? { field: 'parent_id', message: 'an item cannot be its own parent' } : undefined;
    case 'dependencies':
      return r.blocking_item_id === r.blocked_item_id
        ? { field: 'blocked_item_id', message: 'an item cannot depend on itself' }
        : undefined;
    case 'time_entries':
      return r.ended_at !== null && (r.ended_at as string) < (r.started_at as string)
        ? { field: 'ended_at', message: 'ends before it starts' }
        : undefined;
    default:
      return undefined;
  }
}
