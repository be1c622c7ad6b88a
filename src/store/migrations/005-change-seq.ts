import { ENTITY_TYPES } from '../../domain/index.js';
import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/** Types whose changes the sync engine looks up by `change_seq`. */
const LOOKED_UP = ['sprints', 'work_items', 'comments', 'dependencies', 'time_entries', 'conflicts'] as const;

/**
 * Schema version 5: `change_seq`, a counter every write of a row moves, imports and merges
 * included (`local_seq` leaves imported rows at 0: they are not local changes to export). The
 * sync engine finds what changed since its last run by it instead of reading whole projects.
 * Rows from before stay at 0; a connection's first run after this reads everything once.
 */
export const changeSeq: Migration = {
  version: 5,
  name: 'change-seq',
  async up(db: Db) {
    for (const type of ENTITY_TYPES)
      await db.schema
        .alterTable(type)
        .addColumn('change_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    for (const type of LOOKED_UP) await db.schema.createIndex(`${type}_change_seq`).on(type).column('change_seq').execute();
  },
};
