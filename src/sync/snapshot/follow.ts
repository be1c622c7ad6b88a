import { ENTITIES, ENTITY_TYPES, type EntityRecords, type EntityType } from '../../domain/index.js';
import { idChunks, rowJsonEncoder, type ListQuery, type Store } from '../../store/index.js';
import type { BaseSnapshot } from './base.js';
import { columnIndexes } from './columns.js';
import { lineId } from './fields.js';
import { readSnapshot } from './reader.js';

/**
 * How a take-in of the tracked snapshot tells the edits made here from what the file already
 * had (see `importSnapshotFile`): a stored row has no edit of its own when it is still its line
 * in the base — the data.json pm last wrote or read — or, without a usable base, when no write
 * stamped it after the last export.
 */
export function unchangedSinceFile(
  type: EntityType,
  row: unknown[],
  baseLine: string | undefined,
  known: { base: boolean; exported: number },
): boolean {
  if (known.base) return baseLine !== undefined && rowJsonEncoder(type)(row) === baseLine;
  return (row[columnIndexes(type).local_seq!] as number) <= known.exported;
}

/**
 * Records the database holds and the tracked snapshot (`path`) does not, of `types`. One that
 * is still the base's line (this replica did not touch it since) was dropped by the file — a
 * branch switch, a revert, an older file checked out — and goes: absent from the file means
 * absent here, as in a fresh clone. Any other (a local record not exported yet, a local edit,
 * or one no file pm saw ever had) stays and counts as a local change, so the next export writes
 * it. So does a record that something staying refers to. Returns how many went, per type.
 */
export async function dropWhatTheFileDropped(
  tx: Store,
  path: string,
  options: { types: readonly EntityType[]; base: BaseSnapshot | undefined; exported: number },
): Promise<Map<EntityType, number>> {
  const dropped = new Map<EntityType, number>();
  if (options.types.length === 0) return dropped;
  const inFile = fileIds(path, options.types);
  const drop = new Map<EntityType, Set<string>>();
  const keep = new Map<EntityType, Set<string>>();
  const known = { base: options.base !== undefined, exported: options.exported };
  for (const type of options.types) {
    const missing = [...(await tx.ids(type))].filter((id) => !inFile.get(type)!.has(id));
    const at = columnIndexes(type);
    for (const row of await tx.rowsWithIds(type, missing)) {
      const id = row[at.id!] as string;
      const gone = options.base !== undefined && unchangedSinceFile(type, row, options.base.text(type, id), known);
      if (!gone && (row[at.local_seq!] as number) > options.exported) continue; // a local change already
      const set = gone ? drop : keep;
      if (!set.has(type)) set.set(type, new Set());
      set.get(type)!.add(id);
    }
  }
  await keepReferenced(tx, drop, keep);
  for (const [type, ids] of drop) {
    await tx.deleteRows(type, [...ids]);
    dropped.set(type, ids.size);
  }
  for (const [type, ids] of keep) {
    // Stamped as a local change: the file lacks it, so the next export must write it.
    await tx.upsertMany(type, [...(await tx.getMany(type, [...ids])).values()]);
  }
  return dropped;
}

/** Moves records to drop that a staying record refers to into `keep`, until none is left. */
async function keepReferenced(tx: Store, drop: Map<EntityType, Set<string>>, keep: Map<EntityType, Set<string>>): Promise<void> {
  for (let changed = true; changed;) {
    changed = false;
    for (const [target, ids] of drop) {
      if (ids.size === 0) continue;
      for (const type of ENTITY_TYPES) {
        for (const ref of ENTITIES[type].references) {
          if (ref.target !== target) continue;
          for (const from of await referring(tx, type, ref.field, [...ids])) {
            if (drop.get(type)?.has(from.id)) continue;
            const id = (from as unknown as Record<string, string>)[ref.field]!;
            if (!ids.delete(id)) continue;
            if (!keep.has(target)) keep.set(target, new Set());
            keep.get(target)!.add(id);
            changed = true;
          }
        }
      }
    }
  }
}

/** The ids of records of these types in a snapshot file. */
function fileIds(path: string, types: readonly EntityType[]): Map<EntityType, Set<string>> {
  const ids = new Map(types.map((t) => [t, new Set<string>()]));
  for (const event of readSnapshot(path, { raw: true })) {
    if (event.kind !== 'record') continue;
    const set = ids.get(event.type);
    if (!set) continue;
    const id = lineId(event.text) ?? event.value ?? (JSON.parse(event.text) as unknown);
    const value = typeof id === 'string' ? id : (id as { id?: unknown } | null)?.id;
    if (typeof value === 'string') set.add(value);
  }
  return ids;
}

/** Records of a type (tombstones included) whose `field` is one of `ids`. */
export async function referring<E extends EntityType>(
  tx: Store,
  type: E,
  field: string,
  ids: readonly string[],
): Promise<EntityRecords[E][]> {
  const out: EntityRecords[E][] = [];
  for (const chunk of idChunks(ids)) {
    const query = { includeDeleted: true, where: { [field]: chunk } } as ListQuery<EntityRecords[E]>;
    out.push(...(await tx.list(type, query)));
  }
  return out;
}
