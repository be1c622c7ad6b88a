import { ENTITIES, type EntityType } from './entities.js';
import { ValidationError } from './errors.js';

/** One term of a `sort` parameter: `-updated_at` is `{ field: 'updated_at', descending: true }`. */
export interface SortTerm {
  field: string;
  descending: boolean;
}

/** The fields a list of this type may be sorted by: every field but the field clock. */
export function sortableFields(type: EntityType): string[] {
  return ENTITIES[type].fields.filter((f) => f !== 'field_updated_at');
}

/**
 * Parses `sort` as lists take it: comma-separated fields, `-` for descending
 * (`-updated_at,name`). A field outside `allowed` is refused, naming the parameter.
 */
export function parseSort(sort: string, allowed: readonly string[]): SortTerm[] {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((term) => {
      const descending = term.startsWith('-');
      const field = descending ? term.slice(1) : term;
      if (!allowed.includes(field)) {
        throw new ValidationError([
          { path: 'sort', message: `cannot sort by ${JSON.stringify(field)}: expected one of ${allowed.join(', ')}` },
        ]);
      }
      return { field, descending };
    });
}
