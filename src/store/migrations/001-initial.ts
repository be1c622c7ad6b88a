import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import type { Db } from '../kysely-store.js';
import type { Migration } from './migration.js';

/** Schema version 1: the seven entity types, merge conflicts, key aliases and metadata. */

type Table = CreateTableBuilder<string, never>;

function meta(t: Table): Table {
  return t
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('field_updated_at', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('local_seq', 'integer', (c) => c.notNull().defaultTo(0));
}

/** Foreign keys are checked at commit inside imports, which write records in id order. */
function ref(table: string) {
  return (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).modifyEnd(sql`deferrable initially immediate`);
}

export const initial: Migration = {
  version: 1,
  name: 'initial',
  async up(db: Db) {
    await meta(
      db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('next_work_item_number', 'integer', (c) => c.notNull()),
    ).execute();

    await meta(
      db.schema
        .createTable('sprints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => ref('projects')(c.notNull()))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('goal', 'text')
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()),
    ).execute();

    await meta(
      db.schema
        .createTable('swim_lanes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', ref('projects'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status_value', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull()),
    ).execute();

    await meta(
      db.schema
        .createTable('work_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => ref('projects')(c.notNull()))
        .addColumn('parent_id', 'text', ref('work_items'))
        .addColumn('item_type', 'text', (c) => c.notNull())
        .addColumn('item_number', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('story_points', 'integer')
        .addColumn('assignee_id', 'text')
        .addColumn('sprint_id', 'text', ref('sprints')),
    ).execute();

    await meta(
      db.schema
        .createTable('comments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('work_item_id', 'text', (c) => ref('work_items')(c.notNull()))
        .addColumn('content', 'text', (c) => c.notNull()),
    ).execute();

    await meta(
      db.schema
        .createTable('dependencies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('blocking_item_id', 'text', (c) => ref('work_items')(c.notNull()))
        .addColumn('blocked_item_id', 'text', (c) => ref('work_items')(c.notNull()))
        .addColumn('dependency_type', 'text', (c) => c.notNull()),
    ).execute();

    await meta(
      db.schema
        .createTable('time_entries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('work_item_id', 'text', (c) => ref('work_items')(c.notNull()))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('duration_seconds', 'integer')
        .addColumn('description', 'text'),
    ).execute();

    await meta(
      db.schema
        .createTable('conflicts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('ours_value', 'text', (c) => c.notNull())
        .addColumn('theirs_value', 'text', (c) => c.notNull())
        .addColumn('winner', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('detected_at', 'text', (c) => c.notNull())
        .addColumn('resolution', 'text')
        .addColumn('resolved_value', 'text', (c) => c.notNull()),
    ).execute();

    await db.schema
      .createTable('key_aliases')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('item_number', 'integer', (c) => c.notNull())
      .addColumn('work_item_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('key_aliases_pk', ['project_id', 'item_number', 'work_item_id'])
      .execute();

    await db.schema
      .createTable('pm_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    const indexes: [string, string, string[]][] = [
      ['projects_key', 'projects', ['key']],
      ['sprints_project', 'sprints', ['project_id']],
      ['swim_lanes_project', 'swim_lanes', ['project_id']],
      ['work_items_number', 'work_items', ['project_id', 'item_number']],
      ['work_items_parent', 'work_items', ['parent_id']],
      ['work_items_sprint', 'work_items', ['sprint_id']],
      ['comments_item', 'comments', ['work_item_id']],
      ['dependencies_blocking', 'dependencies', ['blocking_item_id']],
      ['dependencies_blocked', 'dependencies', ['blocked_item_id']],
      ['time_entries_item', 'time_entries', ['work_item_id']],
      ['conflicts_record', 'conflicts', ['record_id']],
    ];
    for (const [name, table, columns] of indexes) {
      await db.schema.createIndex(name).on(table).columns(columns).execute();
    }
    // Only running timers are looked up by person.
    await db.schema
      .createIndex('time_entries_running')
      .on('time_entries')
      .column('user_id')
      .where(sql.ref('ended_at'), 'is', null)
      .execute();
  },
};
