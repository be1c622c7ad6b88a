import type { AnyRecord, EntityType } from '../../domain/index.js';
import { rowJsonEncoder, toValues } from '../../store/index.js';

const NO_STAMPS = { local_seq: 0, change_seq: 0 };

/**
 * Canonical bytes of a record: its fields in the schema's order, per-field clocks sorted by
 * field name, compact JSON on one line. The same record always gives the same line, so a
 * snapshot of unchanged data never changes and a one-field edit changes one line. The store
 * encodes stored rows the same way (`Store.scanJson`), so exports never build records.
 */
export function canonicalRecord(type: EntityType, record: AnyRecord): string {
  return rowJsonEncoder(type)(toValues(type, record as never, NO_STAMPS));
}

/** Records compare by id: the order of every array in a snapshot. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
