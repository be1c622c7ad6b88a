import type BetterSqlite3 from 'better-sqlite3';
import type { EntityRecords, EntityType, Project, WorkItem } from '../../domain/index.js';
import { columnsOf, fromRow, sqliteJsonObject } from '../rows.js';
import type { RateReservation } from '../rate-limits.js';
import type { BatchQueue } from '../sync-batches.js';
import type { SyncRepository } from '../sync-repository.js';
import type {
  ApiToken,
  ClearedLink,
  HeldLock,
  ItemJson,
  KeyAlias,
  ListQuery,
  NumberedRow,
  ReadyQuery,
  Store,
  TransactionOptions,
  WriteOptions,
} from '../store.js';
import { ConnectionLock } from './connection-lock.js';
import { checkedVersion, openConnection, type SqliteOptions } from './connection.js';
import type { SqliteStore } from './sqlite-store.js';
import {
  aliasRowsFor,
  aliasRowsOf,
  countRows,
  forgetCounts,
  itemByNumberRow,
  itemJsonRows,
  listRows,
  metaValue,
  projectRow,
  readyRows,
  recordRow,
  recordRows,
} from './statements.js';

/** What the stores of one connection share: its lock and, once loaded, the Kysely store on it. */
interface Connection {
  sqlite: BetterSqlite3.Database;
  lock: ConnectionLock;
  full?: Promise<SqliteStore>;
  loaded?: SqliteStore;
}

/** A native read that has no statement for this query: Kysely's store runs it. */
const UNWRITTEN = Symbol('unwritten');
type Native<T> = T | typeof UNWRITTEN;

const fullModule = () => import('./sqlite-store.js');

/**
 * The SQLite store as a command opens it: reads (read transactions, lists, counts, records by
 * id, items by number, key aliases, ready items, projects by key, meta values, scans) run as
 * cached better-sqlite3 statements, and Kysely, with the
 * store built on it (`SqliteStore`), loads on the first call that needs more. Loading Kysely
 * cost a read-only command more than its queries. Once loaded, every call outside a
 * transaction goes to that store, as if it had been opened alone; both take one lock, so
 * neither runs inside the other's transaction.
 */
export class SqliteReadStore implements Store {
  readonly dialect = 'sqlite';
  #bound: Promise<SqliteStore> | undefined;

  private constructor(
    private readonly connection: Connection,
    private readonly inTransaction: boolean,
  ) {}

  static async open(path: string, options: SqliteOptions = {}): Promise<SqliteReadStore> {
    const sqlite = openConnection(path, options);
    const store = new SqliteReadStore({ sqlite, lock: new ConnectionLock() }, false);
    try {
      if (checkedVersion(sqlite, path, options)) await (await store.full()).migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  get sqlite(): BetterSqlite3.Database {
    return this.connection.sqlite;
  }

  get location(): string {
    return this.sqlite.name;
  }

  /**
   * The Kysely store this one stands for. Inside a read transaction, one bound to it: the
   * transaction holds the lock, so its queries do not take it again.
   */
  private full(): Promise<SqliteStore> {
    if (this.inTransaction)
      return (this.#bound ??= fullModule().then(({ SqliteStore }) => SqliteStore.over(this.sqlite, undefined, true)));
    const connection = this.connection;
    return (connection.full ??= fullModule().then(({ SqliteStore }) => {
      connection.loaded = SqliteStore.over(connection.sqlite, connection.lock);
      return connection.loaded;
    }));
  }

  /** A call for the Kysely store. */
  private forward<T>(call: (store: SqliteStore) => Promise<T>): Promise<T> {
    return this.full().then(call);
  }

  /**
   * A read run natively: inside a transaction at once, outside one holding the connection's
   * lock, unless the Kysely store is loaded (then it runs the read, as it runs all others).
   */
  private reading<T>(native: () => Native<T>, call: (store: SqliteStore) => Promise<T>): Promise<T> {
    const fallback = (value: Native<T>) => (value === UNWRITTEN ? this.forward(call) : value);
    if (this.inTransaction) return Promise.resolve(native()).then(fallback);
    if (this.connection.loaded) return call(this.connection.loaded);
    return this.connection.lock.run(native).then(fallback);
  }

  async read<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    if (this.connection.loaded) return this.connection.loaded.read(fn);
    const sqlite = this.sqlite;
    return this.connection.lock.run(async () => {
      sqlite.exec('begin');
      try {
        const result = await fn(new SqliteReadStore(this.connection, true));
        sqlite.exec('commit');
        return result;
      } catch (error) {
        try {
          sqlite.exec('rollback');
        } catch {
          // already rolled back by SQLite
        }
        forgetCounts(sqlite);
        throw error;
      }
    });
  }

  write<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.forward((store) => store.write(fn, options));
  }

  async close(): Promise<void> {
    if (this.connection.full) await (await this.connection.full).close();
    if (this.sqlite.open) this.sqlite.close();
  }

  get sync(): SyncRepository {
    const loaded = this.inTransaction ? undefined : this.connection.loaded;
    if (loaded) return loaded.sync;
    // A link reader is an option (callers read all links without one): none until loaded.
    return deferred<SyncRepository>(() => this.full().then((store) => store.sync), { linkReader: () => undefined });
  }

  get batches(): BatchQueue {
    const loaded = this.inTransaction ? undefined : this.connection.loaded;
    if (loaded) return loaded.batches;
    return deferred<BatchQueue>(() => this.full().then((store) => store.batches));
  }

  list<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<EntityRecords[E][]> {
    return this.reading(
      () => listRows(this.sqlite, type, query) ?? UNWRITTEN,
      (store) => store.list(type, query),
    );
  }

  count<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<number> {
    return this.reading(
      () => countRows(this.sqlite, type, query) ?? UNWRITTEN,
      (store) => store.count(type, query),
    );
  }

  listItemJson(query: ListQuery<WorkItem>): Promise<ItemJson[]> {
    return this.reading(
      () => itemJsonRows(this.sqlite, query) ?? UNWRITTEN,
      (store) => store.listItemJson(query),
    );
  }

  projectByKey(key: string): Promise<Project | undefined> {
    return this.reading(
      () => projectRow(this.sqlite, key),
      (store) => store.projectByKey(key),
    );
  }

  getMeta(key: string): Promise<string | undefined> {
    return this.reading(
      () => metaValue(this.sqlite, key),
      (store) => store.getMeta(key),
    );
  }

  /** Streams rows with one statement, as `SqliteStore.scan`; the read transaction keeps the snapshot consistent. */
  *scan<E extends EntityType>(type: E): Iterable<EntityRecords[E]> {
    const statement = this.sqlite.prepare(`select * from ${type} order by id`);
    for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) yield fromRow(type, row);
  }

  *scanRows(type: EntityType): Iterable<unknown[]> {
    const columns = columnsOf(type)
      .map((c) => `"${c}"`)
      .join(', ');
    yield* this.sqlite.prepare(`select ${columns} from ${type} order by id`).raw(true).iterate() as IterableIterator<unknown[]>;
  }

  *scanJson(type: EntityType): Iterable<string> {
    yield* this.sqlite
      .prepare(`select ${sqliteJsonObject(type)} from ${type} order by id`)
      .pluck()
      .iterate() as IterableIterator<string>;
  }

  get<E extends EntityType>(type: E, id: string): Promise<EntityRecords[E] | undefined> {
    return this.reading(
      () => recordRow(this.sqlite, type, id),
      (s) => s.get(type, id),
    );
  }

  getMany<E extends EntityType>(type: E, ids: readonly string[]): Promise<Map<string, EntityRecords[E]>> {
    return this.reading(
      () => recordRows(this.sqlite, type, ids),
      (s) => s.getMany(type, ids),
    );
  }

  itemByNumber(projectId: string, itemNumber: number): Promise<WorkItem | undefined> {
    return this.reading(
      () => itemByNumberRow(this.sqlite, projectId, itemNumber),
      (s) => s.itemByNumber(projectId, itemNumber),
    );
  }

  aliasesOf(projectId: string, itemNumber: number): Promise<KeyAlias[]> {
    return this.reading(
      () => aliasRowsOf(this.sqlite, projectId, itemNumber),
      (s) => s.aliasesOf(projectId, itemNumber),
    );
  }

  listAliases(workItemId: string): Promise<KeyAlias[]> {
    return this.reading(
      () => aliasRowsFor(this.sqlite, workItemId),
      (s) => s.listAliases(workItemId),
    );
  }

  readyItems(query: ReadyQuery): Promise<WorkItem[]> {
    return this.reading(
      () => readyRows(this.sqlite, query),
      (s) => s.readyItems(query),
    );
  }

  // Everything else is the Kysely store's.
  insert<E extends EntityType>(type: E, record: EntityRecords[E], options?: WriteOptions): Promise<void> {
    return this.forward((s) => s.insert(type, record, options));
  }
  insertMany<E extends EntityType>(type: E, records: readonly EntityRecords[E][], options?: WriteOptions): Promise<void> {
    return this.forward((s) => s.insertMany(type, records, options));
  }
  insertRows(type: EntityType, rows: readonly unknown[][], options?: WriteOptions): Promise<void> {
    return this.forward((s) => s.insertRows(type, rows, options));
  }
  upsertMany<E extends EntityType>(type: E, records: readonly EntityRecords[E][], options?: WriteOptions): Promise<void> {
    return this.forward((s) => s.upsertMany(type, records, options));
  }
  deleteAll(type: EntityType): Promise<void> {
    return this.forward((s) => s.deleteAll(type));
  }
  deleteRows(type: EntityType, ids: readonly string[]): Promise<void> {
    return this.forward((s) => s.deleteRows(type, ids));
  }
  ids(type: EntityType): Promise<Set<string>> {
    return this.forward((s) => s.ids(type));
  }
  jsonBetween(type: EntityType, first: string, last: string): Promise<Map<string, string>> {
    return this.forward((s) => s.jsonBetween(type, first, last));
  }
  idsBetween(type: EntityType, first: string, last: string): Promise<Set<string>> {
    return this.forward((s) => s.idsBetween(type, first, last));
  }
  rowsBetween(type: EntityType, first: string, last: string): Promise<unknown[][]> {
    return this.forward((s) => s.rowsBetween(type, first, last));
  }
  rowsWithIds(type: EntityType, ids: readonly string[]): Promise<unknown[][]> {
    return this.forward((s) => s.rowsWithIds(type, ids));
  }
  suspendIndexes(types: readonly EntityType[]): Promise<() => Promise<void>> {
    return this.forward((s) => s.suspendIndexes(types));
  }
  deferForeignKeys(): Promise<void> {
    return this.forward((s) => s.deferForeignKeys());
  }
  numberCollisions(): Promise<NumberedRow[]> {
    return this.forward((s) => s.numberCollisions());
  }
  maxItemNumbers(): Promise<Map<string, number>> {
    return this.forward((s) => s.maxItemNumbers());
  }
  deletedDependencyEnds(): Promise<Map<string, string>> {
    return this.forward((s) => s.deletedDependencyEnds());
  }
  parentLinks(): Promise<[string, string][]> {
    return this.forward((s) => s.parentLinks());
  }
  update<E extends EntityType>(type: E, record: EntityRecords[E], options?: WriteOptions): Promise<void> {
    return this.forward((s) => s.update(type, record, options));
  }
  idsEndingWith(type: EntityType, suffix: string, limit: number): Promise<string[]> {
    return this.forward((s) => s.idsEndingWith(type, suffix, limit));
  }
  itemJsonByKey(projectKey: string, itemNumber: number): Promise<{ json: string; deleted: boolean } | undefined> {
    return this.forward((s) => s.itemJsonByKey(projectKey, itemNumber));
  }
  addAliases(aliases: readonly KeyAlias[]): Promise<void> {
    return this.forward((s) => s.addAliases(aliases));
  }
  addClearedLinks(links: readonly ClearedLink[]): Promise<void> {
    return this.forward((s) => s.addClearedLinks(links));
  }
  takeClearedLinks(deletedId: string, deletedAt: string): Promise<ClearedLink[]> {
    return this.forward((s) => s.takeClearedLinks(deletedId, deletedAt));
  }
  allocateItemNumber(projectId: string): Promise<number> {
    return this.forward((s) => s.allocateItemNumber(projectId));
  }
  blocksReachable(from: string, to: string): Promise<boolean> {
    return this.forward((s) => s.blocksReachable(from, to));
  }
  ancestorIds(itemId: string): Promise<string[]> {
    return this.forward((s) => s.ancestorIds(itemId));
  }
  maxPosition(projectId: string, status: string): Promise<number | null> {
    return this.forward((s) => s.maxPosition(projectId, status));
  }
  setMeta(key: string, value: string): Promise<void> {
    return this.forward((s) => s.setMeta(key, value));
  }
  countChangedSince(type: EntityType, localSeq: number): Promise<number> {
    return this.forward((s) => s.countChangedSince(type, localSeq));
  }
  localSeq(): Promise<number> {
    return this.forward((s) => s.localSeq());
  }
  changeSeq(): Promise<number> {
    return this.forward((s) => s.changeSeq());
  }
  changedIds(type: EntityType, afterSeq: number): Promise<string[]> {
    return this.forward((s) => s.changedIds(type, afterSeq));
  }
  removals(): Promise<number> {
    return this.forward((s) => s.removals());
  }
  schemaVersion(): Promise<number> {
    return this.forward((s) => s.schemaVersion());
  }
  insertToken(token: ApiToken, secretHash: string): Promise<void> {
    return this.forward((s) => s.insertToken(token, secretHash));
  }
  listTokens(): Promise<ApiToken[]> {
    return this.forward((s) => s.listTokens());
  }
  tokenByHash(secretHash: string): Promise<ApiToken | undefined> {
    return this.forward((s) => s.tokenByHash(secretHash));
  }
  revokeToken(id: string, at: string): Promise<ApiToken | undefined> {
    return this.forward((s) => s.revokeToken(id, at));
  }
  holdLock(name: string): Promise<HeldLock | undefined> {
    return this.forward((s) => s.holdLock(name));
  }
  reserveRequest(connection: string, reservation: RateReservation): Promise<number> {
    return this.forward((s) => s.reserveRequest(connection, reservation));
  }
}

/**
 * An object whose every method waits for `load` and calls the loaded object's; `present` holds
 * the methods that answer at once.
 */
function deferred<T extends object>(load: () => Promise<T>, present: Partial<T> = {}): T {
  return new Proxy(present as T, {
    get: (target, key) => {
      if (key in target) return Reflect.get(target, key) as unknown;
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return (...args: unknown[]) =>
        load().then((real) => (Reflect.get(real, key) as (...a: unknown[]) => unknown).apply(real, args));
    },
  });
}
