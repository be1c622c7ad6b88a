import * as z from 'zod/mini';
import { parseSort, sortableFields, type EntityType } from '../domain/index.js';
import type { Page } from '../tracker/index.js';

/**
 * Paging and sorting of lists the tracker returns whole (every list but work items, which
 * the tracker pages in SQL). These lists are small — a project's sprints, an item's
 * comments — so they are sorted and sliced here.
 */

export const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 100;

export const pageParams = {
  limit: z.optional(z.int().check(z.gte(1), z.lte(MAX_LIMIT))),
  offset: z.optional(z.int().check(z.gte(0))),
  /** Comma-separated fields, `-` for descending: `-updated_at,name`. */
  sort: z.optional(z.string().check(z.maxLength(200))),
};

export interface PageParams {
  limit?: number;
  offset?: number;
  sort?: string;
}

/** Nulls last in either direction; numbers by value, everything else by its text. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function pageOf<T extends object>(
  records: readonly T[],
  params: PageParams,
  type: EntityType,
  extraFields: readonly string[] = [],
): Page<T> {
  let sorted = records;
  if (params.sort) {
    const order = parseSort(params.sort, [...sortableFields(type), ...extraFields]);
    sorted = [...records].sort((a, b) => {
      for (const { field, descending } of order) {
        const x = (a as Record<string, unknown>)[field];
        const y = (b as Record<string, unknown>)[field];
        if (x === null || x === undefined || y === null || y === undefined) {
          const c = compareValues(x, y);
          if (c !== 0) return c;
          continue;
        }
        const c = compareValues(x, y);
        if (c !== 0) return descending ? -c : c;
      }
      return 0;
    });
  }
  const limit = params.limit ?? DEFAULT_LIMIT;
  const offset = params.offset ?? 0;
  return { items: sorted.slice(offset, offset + limit), total: records.length, limit, offset };
}
