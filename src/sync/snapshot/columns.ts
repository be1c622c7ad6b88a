import type { EntityType } from '../../domain/index.js';
import { columnsOf } from '../../store/index.js';

const indexCache = new Map<EntityType, Record<string, number>>();

/** Where each column is in a stored row of a type (`Store.scanRows`, `rowsWithIds`). */
export function columnIndexes(type: EntityType): Record<string, number> {
  let at = indexCache.get(type);
  if (!at) {
    at = Object.fromEntries(columnsOf(type).map((c, i) => [c, i]));
    indexCache.set(type, at);
  }
  return at;
}
