import type BetterSqlite3 from 'better-sqlite3';
import { once } from '../../domain/index.js';
import type { EntityRecords, EntityType, Project, WorkItem } from '../../domain/index.js';
import { idChunks } from '../id-chunks.js';
import { fromRow, sqliteJsonObject } from '../rows.js';
import type { ItemJson, KeyAlias, ListQuery, ReadyQuery } from '../store.js';
import { listSql, readySql } from './list-sql.js';

/**
 * The reads every command makes, as cached better-sqlite3 statements with the SQL Kysely would
 * build: building it cost more than running it, and loading Kysely more than both. Callers run
 * them where nothing else can use the connection meanwhile (inside a transaction, or holding
 * the connection's lock).
 */

const STATEMENTS = 500;
const textCache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** A statement prepared once per database and text (least recently used go first), rows as objects. */
export function byText(sqlite: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let statements = textCache.get(sqlite);
  if (!statements) textCache.set(sqlite, (statements = new Map<string, BetterSqlite3.Statement>()));
  return cachedStatement(statements, sqlite, sql, STATEMENTS);
}

/** `sql` prepared from `cache`, which keeps the `most` used last (least recently used go first). */
export function cachedStatement(
  cache: Map<string, BetterSqlite3.Statement>,
  sqlite: BetterSqlite3.Database,
  sql: string,
  most: number,
): BetterSqlite3.Statement {
  let statement = cache.get(sql);
  if (statement) cache.delete(sql);
  else {
    statement = sqlite.prepare(sql);
    if (cache.size >= most) cache.delete(cache.keys().next().value!);
  }
  cache.set(sql, statement);
  return statement;
}

/** The records of `type` that `sql`'s rows hold. */
function recordsOf<E extends EntityType>(
  sqlite: BetterSqlite3.Database,
  type: E,
  sql: string,
  params: readonly unknown[],
): EntityRecords[E][] {
  return (byText(sqlite, sql).all(...params) as Record<string, unknown>[]).map((row) => fromRow(type, row));
}

/** The record of `type` that `sql`'s first row holds, if any. */
function recordOf<E extends EntityType>(
  sqlite: BetterSqlite3.Database,
  type: E,
  sql: string,
  params: readonly unknown[],
): EntityRecords[E] | undefined {
  const row = byText(sqlite, sql).get(...params) as Record<string, unknown> | undefined;
  return row ? fromRow(type, row) : undefined;
}

const VERSION_SQL = 'select data_version as v, total_changes() as c from pragma_data_version()';
const COUNTS = 100;
const countCache = new WeakMap<BetterSqlite3.Database, { version: string; counts: Map<string, number> }>();

/** The counts remembered on a connection at a database version; none once the version moves. */
function countsOf(sqlite: BetterSqlite3.Database, version: string): Map<string, number> {
  let cached = countCache.get(sqlite);
  if (cached?.version !== version) countCache.set(sqlite, (cached = { version, counts: new Map() }));
  return cached.counts;
}

/** A rollback takes back rows without moving total_changes: counts taken since go with it. */
export function forgetCounts(sqlite: BetterSqlite3.Database): void {
  countCache.delete(sqlite);
}

/** `KyselyStore.projectByKey`'s query: a live project before tombstones, then the oldest. */
const PROJECT_BY_KEY_SQL =
  'select * from "projects" where "key" = ? order by "deleted_at" desc nulls first, "created_at" asc limit 1';
const itemJsonColumns = once(() => `${sqliteJsonObject('work_items')}, "project_id", "item_number"`);

/** `KyselyStore.list`; undefined for a query listSql does not write. */
export function listRows<E extends EntityType>(
  sqlite: BetterSqlite3.Database,
  type: E,
  query: ListQuery<EntityRecords[E]>,
): EntityRecords[E][] | undefined {
  const statement = listSql(type, query, false);
  return statement && recordsOf(sqlite, type, statement.sql, statement.params);
}

/** `KyselyStore.listItemJson`, with SQLite writing each item's JSON; undefined as `listRows`. */
export function itemJsonRows(sqlite: BetterSqlite3.Database, query: ListQuery<WorkItem>): ItemJson[] | undefined {
  const statement = listSql('work_items', query, false, itemJsonColumns());
  if (!statement) return undefined;
  const rows = byText(sqlite, statement.sql)
    .raw(true)
    .all(...statement.params) as [string, string, number][];
  return rows.map(([json, project_id, item_number]) => ({ json, project_id, item_number }));
}

/**
 * `KyselyStore.count`, remembered until the database changes: a list's `total` counted every
 * matching row again on every page. The database's version is its data_version (moved by
 * other connections' commits) with this connection's total_changes, read first so that it also
 * starts the snapshot the count reads. Undefined as `listRows`.
 */
export function countRows<R>(sqlite: BetterSqlite3.Database, type: EntityType, query: ListQuery<R>): number | undefined {
  const statement = listSql(type, query, true);
  if (!statement) return undefined;
  const version = byText(sqlite, VERSION_SQL).get() as { v: number; c: number };
  const counts = countsOf(sqlite, `${version.v}:${version.c}`);
  const key = `${statement.sql}\0${JSON.stringify(statement.params)}`;
  let n = counts.get(key);
  if (n === undefined) {
    n = Number((byText(sqlite, statement.sql).get(...statement.params) as { n: number }).n);
    if (counts.size >= COUNTS) counts.delete(counts.keys().next().value!);
    counts.set(key, n);
  }
  return n;
}

export function projectRow(sqlite: BetterSqlite3.Database, key: string): Project | undefined {
  return recordOf(sqlite, 'projects', PROJECT_BY_KEY_SQL, [key]);
}

/** `KyselyStore.getMeta`'s query. */
export function metaValue(sqlite: BetterSqlite3.Database, key: string): string | undefined {
  const row = byText(sqlite, 'select "value" from "pm_meta" where "key" = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** `KyselyStore.get`'s query. */
export function recordRow<E extends EntityType>(
  sqlite: BetterSqlite3.Database,
  type: E,
  id: string,
): EntityRecords[E] | undefined {
  return recordOf(sqlite, type, `select * from "${type}" where "id" = ?`, [id]);
}

/** `KyselyStore.getMany`'s queries, one per `idChunks` slice. */
export function recordRows<E extends EntityType>(
  sqlite: BetterSqlite3.Database,
  type: E,
  ids: readonly string[],
): Map<string, EntityRecords[E]> {
  const result = new Map<string, EntityRecords[E]>();
  for (const chunk of idChunks(ids)) {
    const sql = `select * from "${type}" where "id" in (${chunk.map(() => '?').join(', ')})`;
    for (const record of recordsOf(sqlite, type, sql, chunk)) result.set(record.id, record);
  }
  return result;
}

/** `KyselyStore.itemByNumber`'s query: the oldest item holding the number. */
export function itemByNumberRow(sqlite: BetterSqlite3.Database, projectId: string, itemNumber: number): WorkItem | undefined {
  const sql = 'select * from "work_items" where "project_id" = ? and "item_number" = ? order by "created_at", "id" limit 1';
  return recordOf(sqlite, 'work_items', sql, [projectId, itemNumber]);
}

/** `KyselyStore.aliasesOf`'s query. */
export function aliasRowsOf(sqlite: BetterSqlite3.Database, projectId: string, itemNumber: number): KeyAlias[] {
  const sql = 'select * from "key_aliases" where "project_id" = ? and "item_number" = ?';
  return byText(sqlite, sql).all(projectId, itemNumber) as KeyAlias[];
}

/** `KyselyStore.listAliases`'s query. */
export function aliasRowsFor(sqlite: BetterSqlite3.Database, workItemId: string): KeyAlias[] {
  return byText(sqlite, 'select * from "key_aliases" where "work_item_id" = ? order by "created_at"').all(
    workItemId,
  ) as KeyAlias[];
}

/** `KyselyStore.readyItems`. */
export function readyRows(sqlite: BetterSqlite3.Database, query: ReadyQuery): WorkItem[] {
  const { sql, params } = readySql(query);
  return recordsOf(sqlite, 'work_items', sql, params);
}
