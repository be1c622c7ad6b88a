import type BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import type { EntityRecords, EntityType, Project, SyncLink, WorkItem } from '../../domain/index.js';
import { KyselyStore, type Db, type LooseDatabase, type Transactor } from '../kysely-store.js';
import { migrate } from '../migrator.js';
import { columnsOf, fromRow, sqliteJsonObject, stampValues, toValues } from '../rows.js';
import { lockFile } from './file-lock.js';
import { KyselySyncRepository, LINK_COLUMNS, linkFromValues, type LinkReader, type SyncRepository } from '../sync-repository.js';
import type { HeldLock, ItemJson, ListQuery, Store, TransactionOptions, WriteOptions } from '../store.js';
import { checkedVersion, openConnection, type SqliteOptions } from './connection.js';
import type { ConnectionLock } from './connection-lock.js';
import { cachedStatement, countRows, forgetCounts, itemJsonRows, listRows, projectRow } from './statements.js';

export type { SqliteOptions } from './connection.js';

const sqliteTransactor: Transactor = {
  write: (db, fn, options) => inTransaction(db, 'begin immediate', fn, options),
  read: (db, fn) => inTransaction(db, 'begin', fn),
};

async function inTransaction<T>(db: Db, begin: string, fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  return db.connection().execute(async (conn) => {
    // Foreign keys and the journal mode can only be switched outside a transaction.
    if (options.referencesChecked) await sql`pragma foreign_keys = off`.execute(conn);
    const journaled = options.bulkLoad === true && (await useRollbackJournal(conn));
    try {
      await sql.raw(begin).execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    } finally {
      if (journaled) await backToWal(conn);
      if (options.referencesChecked) await sql`pragma foreign_keys = on`.execute(conn);
    }
  });
}

/**
 * Leaves WAL mode for a rollback journal, which only works while no other connection has the
 * file open: the attempt does not wait for one to go. FULL sync keeps a power loss from
 * corrupting the file in this mode, as NORMAL does in WAL mode.
 */
async function useRollbackJournal(conn: Db): Promise<boolean> {
  const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn);
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode = delete`.execute(conn);
    if (mode.rows[0]?.journal_mode !== 'delete') return false;
    await sql`pragma synchronous = full`.execute(conn);
    return true;
  } catch {
    return false; // busy: another connection has the file open
  } finally {
    await sql.raw(`pragma busy_timeout = ${Number(rows[0]?.timeout ?? 0)}`).execute(conn);
  }
}

/**
 * Back to WAL mode after a bulk load. A connection opened meanwhile can keep it from switching:
 * then FULL sync stays, and the next open of the file (which asks for WAL) switches it.
 */
async function backToWal(conn: Db): Promise<void> {
  try {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode = wal`.execute(conn);
    if (mode.rows[0]?.journal_mode === 'wal') await sql`pragma synchronous = normal`.execute(conn);
  } catch {
    // busy: see above
  }
}

/** Rows per statement of a bulk write: 32 rows bind ~700 values, far below SQLite's limit. */
const ROWS_PER_INSERT = 32;

const statementCache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();
const KYSELY_STATEMENTS = 500;

/** `KyselyStore.itemJsonByKey`'s query, with SQLite writing the JSON. */
const itemJsonByKeySql = () => `select ${sqliteJsonObject('work_items')}, deleted_at is not null from work_items
  where project_id = (select id from projects where key = ? order by deleted_at desc nulls first, created_at limit 1)
  and item_number = ? order by created_at, id limit 1`;

/**
 * Kysely prepares every statement it runs, and preparing costs more than running most of pm's
 * queries (a third of a served get-by-key). Kysely calls only `prepare` and `close` on the
 * database, so it is handed cached statements here (least recently used go first). Sharing a
 * statement is safe: Kysely runs one query at a time on its one connection, an open iterator
 * included.
 */
function cachingDatabase(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => cachedStatement(cache, sqlite, sql, KYSELY_STATEMENTS),
  };
}

const LINK_FILTERS = { all: '', local: ' and local_id = ?', remote: ' and remote_id = ?' } as const;
type LinkQuery = keyof typeof LINK_FILTERS;

const linksSql = (query: LinkQuery) =>
  `select ${LINK_COLUMNS.map((c) => `"${c}"`).join(', ')} from sync_links where connection = ? and entity_type = ?${LINK_FILTERS[query]}`;

/** Links are read on every run: prepared statements, rows as arrays, no query building. */
class SqliteSyncRepository extends KyselySyncRepository {
  constructor(
    db: Db,
    private readonly statement: (query: LinkQuery) => BetterSqlite3.Statement,
  ) {
    super(db);
  }

  override links(connection: string, entityType: string): Promise<SyncLink[]> {
    const rows = this.statement('all').all(connection, entityType) as unknown[][];
    return Promise.resolve(rows.map((values) => linkFromValues(connection, entityType, values)));
  }

  override linkReader(connection: string): LinkReader {
    const one = (query: LinkQuery, entityType: string, id: string) => {
      const row = this.statement(query).get(connection, entityType, id) as unknown[] | undefined;
      return row ? linkFromValues(connection, entityType, row) : undefined;
    };
    return {
      byLocal: (entityType, localId) => one('local', entityType, localId),
      byRemote: (entityType, remoteId) => one('remote', entityType, remoteId),
    };
  }
}

/** The embedded store: one SQLite file in WAL mode, foreign keys on, waiting on locks. */
export class SqliteStore extends KyselyStore {
  constructor(
    readonly sqlite: BetterSqlite3.Database,
    db: Db,
    inTransaction: boolean,
  ) {
    super('sqlite', sqlite.name, db, sqliteTransactor, inTransaction, async () => {
      await db.destroy();
    });
  }

  protected override bind(tx: Db): SqliteStore {
    return new SqliteStore(this.sqlite, tx, true);
  }

  // A rollback takes back rows without moving total_changes: counts taken since go with it.
  override write<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return super.write(fn, options).catch((error: unknown) => this.forgetCounts(error));
  }

  override read<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return super.read(fn).catch((error: unknown) => this.forgetCounts(error));
  }

  private forgetCounts(error: unknown): never {
    forgetCounts(this.sqlite);
    throw error;
  }

  /**
   * Inside a transaction, lists and counts run as cached statements written without Kysely
   * (statements.ts): the transaction holds the connection, so nothing else runs on it meanwhile.
   * Outside one, Kysely's queue keeps them out of another caller's transaction.
   */
  override list<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<EntityRecords[E][]> {
    const rows = this.inTransaction ? listRows(this.sqlite, type, query) : undefined;
    return rows ? Promise.resolve(rows) : super.list(type, query);
  }

  /** Inside a transaction, as a cached statement: every request naming a project asks. */
  override projectByKey(key: string): Promise<Project | undefined> {
    return this.inTransaction ? Promise.resolve(projectRow(this.sqlite, key)) : super.projectByKey(key);
  }

  /** Inside a transaction, SQLite writes each item's JSON (as in `itemJsonByKey`). */
  override listItemJson(query: ListQuery<WorkItem>): Promise<ItemJson[]> {
    const rows = this.inTransaction ? itemJsonRows(this.sqlite, query) : undefined;
    return rows ? Promise.resolve(rows) : super.listItemJson(query);
  }

  /** Inside a transaction, a count is remembered until the database changes (see `countRows`). */
  override count<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<number> {
    const n = this.inTransaction ? countRows(this.sqlite, type, query) : undefined;
    return n === undefined ? super.count(type, query) : Promise.resolve(n);
  }

  override get sync(): SyncRepository {
    return new SqliteSyncRepository(this.db, (name) => this.prepared(`links-${name}`, () => linksSql(name)));
  }

  override async insertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    if (records.length === 0) return;
    const stamps = await this.stamps(options);
    this.writeRows(type, records.length, (i) => toValues(type, records[i]!, stamps), 'insert');
  }

  override async insertRows(type: EntityType, rows: readonly unknown[][], options: WriteOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const stamps = await this.stamps(options);
    this.writeRows(type, rows.length, (i) => stampValues(rows[i]!, stamps), 'insert');
  }

  override suspendIndexes(types: readonly EntityType[]): Promise<() => Promise<void>> {
    const indexes = this.sqlite
      .prepare(
        `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${types.map(() => '?').join(', ')})`,
      )
      .all(...types) as { name: string; sql: string }[];
    for (const index of indexes) this.sqlite.exec(`drop index "${index.name}"`);
    return Promise.resolve(() => {
      for (const index of indexes) this.sqlite.exec(index.sql);
      return Promise.resolve();
    });
  }

  override async upsertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    if (records.length === 0) return;
    const stamps = await this.stamps(options);
    this.writeRows(type, records.length, (i) => toValues(type, records[i]!, stamps), 'upsert');
  }

  /**
   * Prepared statements of many rows each, the rest one by one: Kysely re-prepares each
   * statement, and a statement per row spends more on binding than on storing.
   */
  private writeRows(type: EntityType, count: number, valuesAt: (i: number) => unknown[], kind: 'insert' | 'upsert'): void {
    let i = 0;
    if (count >= ROWS_PER_INSERT) {
      const statement = this.statement(type, kind, ROWS_PER_INSERT);
      const values: unknown[] = [];
      for (; i + ROWS_PER_INSERT <= count; i += ROWS_PER_INSERT) {
        values.length = 0;
        for (let j = i; j < i + ROWS_PER_INSERT; j++) values.push(...valuesAt(j));
        statement.run(values);
      }
    }
    const statement = this.statement(type, kind);
    for (; i < count; i++) statement.run(valuesAt(i));
  }

  /** Streams rows with one statement instead of pages; the read transaction keeps the snapshot consistent. */
  override *scan<E extends EntityType>(type: E): Iterable<EntityRecords[E]> {
    const statement = this.sqlite.prepare(`select * from ${type} order by id`);
    for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) yield fromRow(type, row);
  }

  override *scanRows(type: EntityType): Iterable<unknown[]> {
    const columns = columnsOf(type)
      .map((c) => `"${c}"`)
      .join(', ');
    const statement = this.sqlite.prepare(`select ${columns} from ${type} order by id`).raw(true);
    yield* statement.iterate() as IterableIterator<unknown[]>;
  }

  /** SQLite writes the JSON itself: one string per row instead of a value per column. */
  override *scanJson(type: EntityType): Iterable<string> {
    yield* this.sqlite
      .prepare(`select ${sqliteJsonObject(type)} from ${type} order by id`)
      .pluck()
      .iterate() as IterableIterator<string>;
  }

  override jsonBetween(type: EntityType, first: string, last: string): Promise<Map<string, string>> {
    return Promise.resolve(new Map(this.statement(type, 'json-range').all(first, last) as [string, string][]));
  }

  override idsBetween(type: EntityType, first: string, last: string): Promise<Set<string>> {
    return Promise.resolve(new Set(this.statement(type, 'id-range').all(first, last) as string[]));
  }

  /** One statement for any number of ids: the ids travel as one JSON array. */
  override rowsWithIds(type: EntityType, ids: readonly string[]): Promise<unknown[][]> {
    if (ids.length === 0) return Promise.resolve([]);
    return Promise.resolve(this.statement(type, 'rows-with-ids').all(JSON.stringify(ids)) as unknown[][]);
  }

  override rowsBetween(type: EntityType, first: string, last: string): Promise<unknown[][]> {
    return Promise.resolve(this.statement(type, 'range').all(first, last) as unknown[][]);
  }

  /** The same query as Kysely's, prepared once, with SQLite writing the JSON: the hot path skips building objects. */
  override itemJsonByKey(projectKey: string, itemNumber: number): Promise<{ json: string; deleted: boolean } | undefined> {
    const row = this.prepared('item-json-by-key', itemJsonByKeySql).get(projectKey, itemNumber) as [string, number] | undefined;
    return Promise.resolve(row ? { json: row[0], deleted: row[1] === 1 } : undefined);
  }

  /** A statement prepared once per database, in raw mode (rows as arrays). */
  private prepared(name: string, sql: () => string): BetterSqlite3.Statement {
    let statements = statementCache.get(this.sqlite);
    if (!statements) statementCache.set(this.sqlite, (statements = new Map<string, BetterSqlite3.Statement>()));
    let statement = statements.get(name);
    if (!statement) statements.set(name, (statement = this.sqlite.prepare(sql()).raw(true)));
    return statement;
  }

  /** A lock file beside the database (`data.db.serve.lock`): see `lockFile`. */
  override holdLock(name: string): Promise<HeldLock | undefined> {
    if (this.sqlite.memory) return Promise.resolve({ release: () => Promise.resolve() });
    const lock = lockFile(`${this.sqlite.name}.${name}.lock`, 0);
    return Promise.resolve(lock && { release: () => Promise.resolve(lock.release()) });
  }

  /** A cached prepared statement for a bulk operation on one entity table. */
  protected statement(
    type: EntityType,
    kind: 'insert' | 'upsert' | 'range' | 'id-range' | 'rows-with-ids' | 'json-range',
    rows = 1,
  ): BetterSqlite3.Statement {
    let statements = statementCache.get(this.sqlite);
    if (!statements) statementCache.set(this.sqlite, (statements = new Map<string, BetterSqlite3.Statement>()));
    const key = `${kind}:${type}:${rows}`;
    let statement = statements.get(key);
    if (!statement) {
      const columns = columnsOf(type);
      const names = columns.map((c) => `"${c}"`).join(', ');
      const range = `from ${type} where id >= ? and id <= ?`;
      switch (kind) {
        case 'range':
          statement = this.sqlite.prepare(`select ${names} ${range} order by id`).raw(true);
          break;
        case 'id-range':
          statement = this.sqlite.prepare(`select id ${range}`).pluck();
          break;
        case 'rows-with-ids':
          statement = this.sqlite
            .prepare(`select ${names} from ${type} where id in (select value from json_each(?)) order by id`)
            .raw(true);
          break;
        case 'json-range':
          statement = this.sqlite.prepare(`select id, ${sqliteJsonObject(type)} ${range} order by id`).raw(true);
          break;
        case 'insert':
        case 'upsert': {
          const row = `(${columns.map(() => '?').join(', ')})`;
          const update = columns
            .filter((c) => c !== 'id')
            .map((c) => `"${c}" = excluded."${c}"`)
            .join(', ');
          const conflict = kind === 'upsert' ? ` on conflict (id) do update set ${update}` : '';
          statement = this.sqlite.prepare(
            `insert into ${type} (${names}) values ${Array<string>(rows).fill(row).join(', ')}${conflict}`,
          );
        }
      }
      statements.set(key, statement);
    }
    return statement;
  }

  static async open(path: string, options: SqliteOptions = {}): Promise<SqliteStore> {
    const sqlite = openConnection(path, options);
    const store = SqliteStore.over(sqlite);
    try {
      if (checkedVersion(sqlite, path, options)) await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * The store on an open connection. Given the lock a `SqliteReadStore` takes, its queries take
   * it too; without one, on a connection a transaction already holds, they run as they come.
   */
  static over(sqlite: BetterSqlite3.Database, lock?: ConnectionLock, inTransaction = false): SqliteStore {
    const config: SqliteDialectConfig = { database: cachingDatabase(sqlite) };
    const dialect = lock ? new LockedSqliteDialect(config, lock) : new SqliteDialect(config);
    return new SqliteStore(sqlite, new Kysely<LooseDatabase>({ dialect }), inTransaction);
  }

  /** Applies pending migrations. */
  async migrate(): Promise<void> {
    await migrate(this.db, 'sqlite', sqliteTransactor, this.sqlite.name);
  }
}

/** SQLite's dialect whose driver takes the connection's lock for each query and transaction. */
class LockedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly lock: ConnectionLock,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new LockedSqliteDriver(this.config, this.lock);
  }
}

class LockedSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly lock: ConnectionLock,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.lock.release();
  }
}
