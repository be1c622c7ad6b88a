import { createHash } from 'node:crypto';
import type { SyncedFields } from '../connectors/index.js';

/** Fields as JSON with keys in order: equal fields give equal text, whatever order they were built in. */
export function stableJson(fields: SyncedFields): string {
  return JSON.stringify(fields, Object.keys(fields).sort());
}

/** The checksum of one side's synced fields, kept on the link to tell whether that side changed. */
export function fieldsHash(fields: SyncedFields): string {
  return createHash('sha1').update(stableJson(fields)).digest('hex').slice(0, 20);
}

export function sameFields(a: SyncedFields, b: SyncedFields): boolean {
  return stableJson(a) === stableJson(b);
}

export function pick(fields: SyncedFields, keys: Iterable<string>): SyncedFields {
  const out: SyncedFields = {};
  for (const key of keys) if (key in fields) out[key] = fields[key]!;
  return out;
}

/** Keys whose values differ between two field sets (a key missing on one side counts). */
export function changedKeys(a: SyncedFields, b: SyncedFields): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]);
}
