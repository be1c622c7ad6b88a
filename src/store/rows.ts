import { ENTITIES, type EntityRecords, type EntityType } from '../domain/index.js';

/**
 * How records are stored: the same columns in SQLite and PostgreSQL, timestamps as ISO text
 * (so they sort and round-trip exactly), booleans as 0/1, objects and scalars-of-any-type as
 * JSON text, plus two counters: `local_seq`, the local change counter that tells what is not
 * yet exported, and `change_seq`, moved by every write (imports too), that tells what changed.
 */

type Column<V> = V extends boolean ? number : V extends object ? string : V;
export type Row<R> = { [K in keyof R]: Column<R[K]> } & Stamps;
export type EntityRow<E extends EntityType> = Row<EntityRecords[E]>;

/** The counters a write puts on each row it writes. */
export interface Stamps {
  local_seq: number;
  change_seq: number;
}

const BOOLEAN_FIELDS: Partial<Record<EntityType, readonly string[]>> = { swim_lanes: ['is_default'] };
const JSON_FIELDS: Partial<Record<EntityType, readonly string[]>> = {
  conflicts: ['ours_value', 'theirs_value', 'resolved_value'],
};

export interface Codec {
  booleans: readonly string[];
  json: readonly string[];
}
const codecs = new Map<EntityType, Codec>();

function codec(type: EntityType): Codec {
  let c = codecs.get(type);
  if (!c) {
    c = { booleans: BOOLEAN_FIELDS[type] ?? [], json: ['field_updated_at', ...(JSON_FIELDS[type] ?? [])] };
    codecs.set(type, c);
  }
  return c;
}

/** JSON text of a stored object: objects with sorted keys, so the stored text is canonical as it is. */
export function jsonText(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value ?? null);
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++)
    out += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:${JSON.stringify(source[keys[i]!])}`;
  return `${out}}`;
}

/** Which stored columns are booleans (0/1) and which hold JSON text. */
export function columnKinds(type: EntityType): Codec {
  return codec(type);
}

export function toRow<E extends EntityType>(type: E, record: EntityRecords[E], stamps: Stamps): EntityRow<E> {
  const { booleans, json } = codec(type);
  const row: Record<string, unknown> = { ...record, ...stamps };
  for (const f of booleans) row[f] = row[f] ? 1 : 0;
  for (const f of json) row[f] = jsonText(row[f]);
  return row as EntityRow<E>;
}

export function fromRow<E extends EntityType>(type: E, row: Record<string, unknown>): EntityRecords[E] {
  const { booleans, json } = codec(type);
  const record: Record<string, unknown> = {};
  for (const f of ENTITIES[type].fields) record[f] = row[f];
  for (const f of booleans) record[f] = row[f] === 1 || row[f] === true;
  for (const f of json) record[f] = typeof row[f] === 'string' ? JSON.parse(row[f]) : (row[f] ?? null);
  return record as EntityRecords[E];
}

/** Column values in canonical field order, then the stamps: the bind order of bulk inserts. */
export function toValues<E extends EntityType>(type: E, record: EntityRecords[E], stamps: Stamps): unknown[] {
  const { booleans, json } = codec(type);
  const src = record as Record<string, unknown>;
  const values: unknown[] = [];
  for (const f of ENTITIES[type].fields) {
    const v = src[f];
    values.push(booleans.includes(f) ? (v ? 1 : 0) : json.includes(f) ? jsonText(v) : (v ?? null));
  }
  values.push(stamps.local_seq, stamps.change_seq);
  return values;
}

/** Sets the stamp columns (the last two, as `toValues` puts them) of an encoded row, in place. */
export function stampValues(row: unknown[], stamps: Stamps): unknown[] {
  row[row.length - 2] = stamps.local_seq;
  row[row.length - 1] = stamps.change_seq;
  return row;
}

export function columnsOf(type: EntityType): readonly string[] {
  return [...ENTITIES[type].fields, 'local_seq', 'change_seq'];
}

/** A record from stored column values in `columnsOf(type)` order (as `scanRows` gives them). */
export function fromValues<E extends EntityType>(type: E, values: readonly unknown[]): EntityRecords[E] {
  const columns = columnsOf(type);
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
  return fromRow(type, row);
}

const jsonEncoders = new Map<EntityType, (row: readonly unknown[]) => string>();

/**
 * A stored row (column values in `columnsOf(type)` order) as compact JSON with the record's
 * fields in schema order: stored JSON text is copied as it is, booleans become true/false,
 * strings are escaped as JSON.stringify does. Compiled per entity type.
 */
export function rowJsonEncoder(type: EntityType): (row: readonly unknown[]) => string {
  let encoder = jsonEncoders.get(type);
  if (encoder) return encoder;
  const columns = columnsOf(type);
  const { booleans, json } = codec(type);
  const terms = ENTITIES[type].fields.map((field, i) => {
    const at = columns.indexOf(field);
    const prefix = JSON.stringify(`${i === 0 ? '{' : ','}"${field}":`);
    if (json.includes(field)) return `${prefix} + r[${at}]`;
    if (booleans.includes(field)) return `${prefix} + (r[${at}] ? 'true' : 'false')`;
    return `${prefix} + (r[${at}] === null ? 'null' : typeof r[${at}] === 'number' ? '' + r[${at}] : stringify(r[${at}]))`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the schema's field list, no input
  const compiled = new Function('stringify', `return (r) => ${terms.join(' + ')} + '}';`) as (
    stringify: (v: unknown) => string,
  ) => (row: readonly unknown[]) => string;
  encoder = compiled(JSON.stringify);
  jsonEncoders.set(type, encoder);
  return encoder;
}

/** The SQL expression SQLite needs to produce the same JSON as `rowJsonEncoder`. */
export function sqliteJsonObject(type: EntityType): string {
  const { booleans, json } = codec(type);
  const parts = ENTITIES[type].fields.map((field) => {
    const column = `"${field}"`;
    const value = json.includes(field)
      ? `json(${column})`
      : booleans.includes(field)
        ? `json(case when ${column} then 'true' else 'false' end)`
        : column;
    return `'${field}', ${value}`;
  });
  return `json_object(${parts.join(', ')})`;
}
