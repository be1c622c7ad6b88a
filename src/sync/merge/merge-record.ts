import {
  ENTITIES,
  clockedFields,
  derivedId,
  sortedClock,
  type AnyRecord,
  type Conflict,
  type EntityType,
  type FieldClock,
  type Scalar,
} from '../../domain/index.js';

/**
 * Merging two versions of one record, field by field. With a base — the version both sides
 * last agreed on — a field only one side changed since takes that side's value, whatever its
 * clock: a `git revert` or an older data.json checked out writes older values on purpose, and
 * they must win over the base they undo. A field both sides changed is decided by the per-field
 * clock (the later write wins, equal clocks go to the larger value) and recorded as a conflict.
 * Without a base (two-way) every differing field is decided by the clock, so any replicas
 * that have seen the same versions end with the same record, whatever the order.
 *
 * Deletion is a field like the others: a tombstone's `deleted_at` was written when it was
 * deleted, and a live record's "not deleted" counts as written at its `updated_at`, so the
 * later of a delete and an edit wins.
 */

type Fields = Record<string, unknown>;

export interface FieldConflict {
  field: string;
  ours: Scalar;
  theirs: Scalar;
  winner: 'ours' | 'theirs';
  reason: string;
  /** The later of the two writes: when the conflict came to be. */
  at: string;
  /** A decision no one need revisit (a renumbering, whose old key stays an alias): recorded as resolved. */
  settled?: boolean;
}

export interface RecordMerge<R extends AnyRecord> {
  record: R;
  /** The merged record is ours unchanged. */
  same: boolean;
  /** The merged record is exactly theirs. */
  taken: boolean;
  conflicts: FieldConflict[];
}

function fields(record: AnyRecord): Fields {
  return record;
}

/** When a field was last written. */
export function fieldClock(record: AnyRecord, field: string): string {
  if (field === 'deleted_at') {
    return record.deleted_at === null ? record.updated_at : (record.field_updated_at.deleted_at ?? record.deleted_at);
  }
  return record.field_updated_at[field] ?? record.created_at;
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

function describe(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function mergeRecord<R extends AnyRecord>(type: EntityType, base: R | undefined, ours: R, theirs: R): RecordMerge<R> {
  const o = fields(ours);
  const t = fields(theirs);
  const spec = ENTITIES[type];
  const merged: Fields = {};
  const clock: FieldClock = {};
  const conflicts: FieldConflict[] = [];
  let fromOurs = true;
  let fromTheirs = true;

  // Fields set at creation: normally equal; if not, one side's set wins whole, chosen by content.
  const immutableDiffer = spec.immutable.some((f) => !sameScalar(o[f], t[f]));
  const immutableSource =
    immutableDiffer && describe(spec.immutable.map((f) => t[f])) < describe(spec.immutable.map((f) => o[f])) ? t : o;
  for (const f of spec.immutable) merged[f] = immutableSource[f];
  if (immutableDiffer && immutableSource === o) fromTheirs = false;
  if (immutableDiffer && immutableSource === t) fromOurs = false;

  for (const f of spec.counters) {
    merged[f] = Math.max(o[f] as number, t[f] as number);
    if (merged[f] !== o[f]) fromOurs = false;
    if (merged[f] !== t[f]) fromTheirs = false;
  }

  for (const f of clockedFields(type)) {
    const co = fieldClock(ours, f);
    const ct = fieldClock(theirs, f);
    const oursEntry = ours.field_updated_at[f];
    const theirsEntry = theirs.field_updated_at[f];
    if (sameScalar(o[f], t[f])) {
      merged[f] = o[f];
      const entry =
        oursEntry === undefined
          ? theirsEntry
          : theirsEntry === undefined
            ? oursEntry
            : oursEntry > theirsEntry
              ? oursEntry
              : theirsEntry;
      if (entry !== undefined) clock[f] = entry;
      if (entry !== oursEntry) fromOurs = false;
      if (entry !== theirsEntry) fromTheirs = false;
      continue;
    }
    const oursChanged = changedSinceBase(base, ours, f, co);
    const theirsChanged = changedSinceBase(base, theirs, f, ct);
    const theirsWins =
      base && oursChanged !== theirsChanged ? theirsChanged : ct > co || (ct === co && describe(t[f]) > describe(o[f]));
    merged[f] = theirsWins ? t[f] : o[f];
    const entry = theirsWins ? theirsEntry : oursEntry;
    if (entry !== undefined) clock[f] = entry;
    if (theirsWins) fromOurs = false;
    else fromTheirs = false;
    if (type !== 'conflicts' && oursChanged && theirsChanged) {
      conflicts.push({
        field: f,
        ours: (o[f] ?? null) as Scalar,
        theirs: (t[f] ?? null) as Scalar,
        winner: theirsWins ? 'theirs' : 'ours',
        reason:
          ct === co
            ? `both written at ${co}: the larger value is kept`
            : `the newer write is kept: ${theirsWins ? `theirs (${ct} by ${theirs.updated_by})` : `ours (${co} by ${ours.updated_by})`} over ${theirsWins ? `ours (${co} by ${ours.updated_by})` : `theirs (${ct} by ${theirs.updated_by})`}`,
        at: ct > co ? ct : co,
      });
    }
  }

  const theirsLater =
    theirs.updated_at > ours.updated_at || (theirs.updated_at === ours.updated_at && theirs.updated_by > ours.updated_by);
  merged.version = Math.max(ours.version, theirs.version);
  merged.created_by = immutableSource === o ? ours.created_by : theirs.created_by;
  merged.created_at = immutableSource === o ? ours.created_at : theirs.created_at;
  merged.updated_by = theirsLater ? theirs.updated_by : ours.updated_by;
  merged.updated_at = theirsLater ? theirs.updated_at : ours.updated_at;
  merged.field_updated_at = sortedClock(clock);
  if (merged.version !== ours.version || merged.updated_at !== ours.updated_at || merged.updated_by !== ours.updated_by)
    fromOurs = false;
  if (merged.version !== theirs.version || merged.updated_at !== theirs.updated_at || merged.updated_by !== theirs.updated_by) {
    fromTheirs = false;
  }
  if (merged.created_at !== ours.created_at || merged.created_by !== ours.created_by) fromOurs = false;
  if (merged.created_at !== theirs.created_at || merged.created_by !== theirs.created_by) fromTheirs = false;

  const record = {} as Fields;
  for (const f of spec.fields) record[f] = merged[f];
  return { record: record as unknown as R, same: fromOurs, taken: fromTheirs && !fromOurs, conflicts };
}

/**
 * Whether one side wrote the field after the base. Without a base version of the record, a
 * field counts as changed when it was written after the record was created.
 */
function changedSinceBase(base: AnyRecord | undefined, side: AnyRecord, field: string, sideClock: string): boolean {
  if (!base)
    return field === 'deleted_at' ? side.deleted_at !== null || side.updated_at > side.created_at : sideClock > side.created_at;
  return sideClock !== fieldClock(base, field) || !sameScalar(fields(base)[field], fields(side)[field]);
}

/** The conflict as a record. Its id and content depend only on the two values, so replicas agree. */
export function conflictRecord(type: EntityType, recordId: string, c: FieldConflict): Conflict {
  const pair = [describe(c.ours), describe(c.theirs)].sort().join('\u0000');
  return {
    id: derivedId(`conflict:${type}:${recordId}:${c.field}:${pair}`),
    entity_type: type,
    record_id: recordId,
    field: c.field,
    ours_value: c.ours,
    theirs_value: c.theirs,
    winner: c.winner,
    reason: c.reason,
    detected_at: c.at,
    resolution: c.settled ? c.winner : null,
    resolved_value: c.settled ? (c.winner === 'ours' ? c.ours : c.theirs) : null,
    version: 1,
    created_by: 'pm',
    updated_by: 'pm',
    created_at: c.at,
    updated_at: c.at,
    deleted_at: null,
    field_updated_at: {},
  };
}
