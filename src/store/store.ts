import type { EntityRecords, EntityType, Project, WorkItem } from '../domain/index.js';
import type { RateReservation } from './rate-limits.js';
import type { BatchQueue } from './sync-batches.js';
import type { SyncRepository } from './sync-repository.js';

export type Dialect = 'sqlite' | 'postgres';

/** An equality filter per field: a value, any of several values, or none of several. */
export type Filter<R> = {
  [K in keyof R]?: R[K] | readonly R[K][] | { not: readonly R[K][] };
};

/** What `readyItems` narrows to; a null assignee or sprint means items without one. */
export interface ReadyQuery {
  projectId?: string;
  assigneeId?: string | null;
  sprintId?: string | null;
  doneStatuses: readonly string[];
  limit: number;
}

/** How one ORDER BY term sorts beyond its direction. */
export interface OrderOptions {
  /** Nulls after every value in either direction (the dialects differ by default). */
  nullsLast?: boolean;
  /** By the value's place in this list instead of by the value (enums with a meaning: priority). */
  ranks?: readonly string[];
}

export type OrderTerm<R> = readonly [keyof R & string, 'asc' | 'desc', OrderOptions?];

export interface ListQuery<R> {
  where?: Filter<R>;
  /** Tombstones are left out unless asked for. */
  includeDeleted?: boolean;
  /** Only records whose title/name/content contains this text (case-insensitive). */
  search?: { fields: readonly (keyof R & string)[]; text: string };
  orderBy?: readonly OrderTerm<R>[];
  limit?: number;
  offset?: number;
  /** Keyset paging: only records with an id greater than this (ordered by id). */
  afterId?: string;
}

export interface TransactionOptions {
  /**
   * The caller checks every reference itself before it commits (imports validate the whole
   * file): the database does not check them again row by row (SQLite: foreign keys off for
   * this transaction).
   */
  referencesChecked?: boolean;
  /**
   * The transaction fills a new database (an import into a new clone). SQLite writes it
   * through a rollback journal when no other connection has the file open: each page is written
   * once, instead of into the WAL and again when the WAL is copied back.
   */
  bulkLoad?: boolean;
}

export interface WriteOptions {
  /** The local change counter to stamp; defaults to this transaction's counter. */
  localSeq?: number;
}

/**
 * A reference of a live item that a delete cleared (a sprint's delete takes `sprint_id`, an
 * item's its children's `parent_id`): restoring the deleted record at that same `deleted_at`
 * puts it back.
 */
export interface ClearedLink {
  deleted_id: string;
  deleted_at: string;
  work_item_id: string;
  field: 'sprint_id' | 'parent_id';
}

/** An item's place in its project's numbering, for finding and fixing duplicate display keys. */
export interface NumberedRow {
  id: string;
  project_id: string;
  item_number: number;
  created_at: string;
}

/** What a bearer token of `pm serve` may do: read only, or read and write. */
export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A token of `pm serve`, as stored: the secret itself is never kept, only its hash. */
export interface ApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

/** A lock held for as long as the process keeps it (see `Store.holdLock`). */
/** A listed work item as JSON text, with the fields of its display key. */
export interface ItemJson {
  json: string;
  project_id: string;
  item_number: number;
}

export interface HeldLock {
  release(): Promise<void>;
}

export interface KeyAlias {
  project_id: string;
  item_number: number;
  work_item_id: string;
  created_at: string;
}

/**
 * Everything pm keeps, behind one interface with a SQLite and a PostgreSQL implementation.
 * Queries are the same for both; only transactions and bulk paths specialise.
 */
export interface Store {
  readonly dialect: Dialect;
  /** Where the data lives, safe to print (no password). */
  readonly location: string;

  /** The sync engine's state (links, runs, history), in the same database and transaction. */
  readonly sync: SyncRepository;
  /** The batches runs are split into when several processes share them (scale-out), in the same transaction. */
  readonly batches: BatchQueue;

  /**
   * One write transaction, and the only one on this database while it runs, across processes
   * (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock per schema): what it reads stays as
   * read until it commits. Read transactions on other connections do not wait for it. Nested
   * calls join the outer one (and its options).
   */
  write<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** One read transaction: a consistent snapshot. */
  read<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;

  get<E extends EntityType>(type: E, id: string): Promise<EntityRecords[E] | undefined>;
  getMany<E extends EntityType>(type: E, ids: readonly string[]): Promise<Map<string, EntityRecords[E]>>;
  list<E extends EntityType>(type: E, query?: ListQuery<EntityRecords[E]>): Promise<EntityRecords[E][]>;
  count<E extends EntityType>(type: E, query?: ListQuery<EntityRecords[E]>): Promise<number>;
  insert<E extends EntityType>(type: E, record: EntityRecords[E], options?: WriteOptions): Promise<void>;
  /** Inserts many records of one type (the bulk path of imports and loaders). */
  insertMany<E extends EntityType>(type: E, records: readonly EntityRecords[E][], options?: WriteOptions): Promise<void>;
  /**
   * Inserts rows already encoded as `toValues` encodes records, in `columnsOf(type)` order: the
   * bulk path of imports that validated and encoded records on another thread. The stamp
   * columns (the last two) are set here, in place.
   */
  insertRows(type: EntityType, rows: readonly unknown[][], options?: WriteOptions): Promise<void>;
  /** Inserts or overwrites many records of one type. */
  upsertMany<E extends EntityType>(type: E, records: readonly EntityRecords[E][], options?: WriteOptions): Promise<void>;
  /** Removes every row of a type (replace imports only; everything else leaves tombstones). */
  deleteAll(type: EntityType): Promise<void>;
  /**
   * Removes these rows (no tombstone): only for records the tracked snapshot no longer has and
   * this replica never changed, which the database follows (a branch switch, a revert).
   */
  deleteRows(type: EntityType, ids: readonly string[]): Promise<void>;
  /** Every stored id of a type, tombstones included. */
  ids(type: EntityType): Promise<Set<string>>;
  /** Every record of a type, tombstones included, in id order, read in batches. */
  scan<E extends EntityType>(type: E): AsyncIterable<EntityRecords[E]> | Iterable<EntityRecords[E]>;
  /**
   * Every stored row of a type as an array of column values in `columnsOf(type)` order (JSON
   * columns as their stored text, booleans as 0/1), in id order: the fast path of exports.
   */
  scanRows(type: EntityType): AsyncIterable<unknown[]> | Iterable<unknown[]>;
  /** Every row of a type as one line of compact JSON (fields in schema order), in id order: exports. */
  scanJson(type: EntityType): AsyncIterable<string> | Iterable<string>;
  /** The JSON lines (as `scanJson` makes them) of rows with ids from `first` to `last`, by id. */
  jsonBetween(type: EntityType, first: string, last: string): Promise<Map<string, string>>;
  /** The stored ids from `first` to `last`. */
  idsBetween(type: EntityType, first: string, last: string): Promise<Set<string>>;
  /** Stored rows (as `scanRows` gives them) with ids from `first` to `last`, in id order. */
  rowsBetween(type: EntityType, first: string, last: string): Promise<unknown[][]>;
  /** Stored rows (as `scanRows` gives them) with these ids, in id order. */
  rowsWithIds(type: EntityType, ids: readonly string[]): Promise<unknown[][]>;
  /**
   * Readies tables that are empty for a bulk load in this transaction. SQLite drops their
   * secondary indexes; the function returned builds them again, once, from the loaded rows
   * (far cheaper than keeping them up to date row by row). A rollback brings them back too.
   */
  suspendIndexes(types: readonly EntityType[]): Promise<() => Promise<void>>;
  /** Checks foreign keys at commit instead of per statement, for the rest of this transaction. */
  deferForeignKeys(): Promise<void>;
  /** Items that share a (project, number) with another item, tombstones included. */
  numberCollisions(): Promise<NumberedRow[]>;
  /** The highest item number per project. */
  maxItemNumbers(): Promise<Map<string, number>>;
  /** Deleted items that a live dependency still names: id → `deleted_at`. */
  deletedDependencyEnds(): Promise<Map<string, string>>;
  /** Every item's parent link: [id, parent_id] for items that have a parent. */
  parentLinks(): Promise<[string, string][]>;
  /** Overwrites the record with the same id. */
  update<E extends EntityType>(type: E, record: EntityRecords[E], options?: WriteOptions): Promise<void>;
  /** Ids ending with `suffix` (how people type short ids), at most `limit`. */
  idsEndingWith(type: EntityType, suffix: string, limit: number): Promise<string[]>;

  projectByKey(key: string): Promise<Project | undefined>;
  itemByNumber(projectId: string, itemNumber: number): Promise<WorkItem | undefined>;
  /**
   * The item a display key names before aliases are looked at, in one query: in the project
   * with that key (`projectByKey`), the item with that number (`itemByNumber`), tombstones
   * included; as JSON like `scanJson` makes it. The hot path of `GET /api/v1/work_items/{key}`.
   */
  itemJsonByKey(projectKey: string, itemNumber: number): Promise<{ json: string; deleted: boolean } | undefined>;
  /**
   * `list('work_items', query)` with each item as the JSON JSON.stringify makes of it, beside
   * what its display key needs. The hot path of `GET /api/v1/work_items`.
   */
  listItemJson(query: ListQuery<WorkItem>): Promise<ItemJson[]>;
  aliasesOf(projectId: string, itemNumber: number): Promise<KeyAlias[]>;
  addAliases(aliases: readonly KeyAlias[]): Promise<void>;
  listAliases(workItemId: string): Promise<KeyAlias[]>;
  addClearedLinks(links: readonly ClearedLink[]): Promise<void>;
  /** The links the delete of `deletedId` at `deletedAt` cleared, by item id; and forgets them. */
  takeClearedLinks(deletedId: string, deletedAt: string): Promise<ClearedLink[]>;
  /** The next display number of a project, atomically, without touching the project's version. */
  allocateItemNumber(projectId: string): Promise<number>;
  /** True when `to` can be reached from `from` along live `blocks` dependencies. */
  blocksReachable(from: string, to: string): Promise<boolean>;
  /** The parent chain of an item, nearest first. */
  ancestorIds(itemId: string): Promise<string[]>;
  /** Live, unfinished items with no live, unfinished `blocks` blocker, most urgent first. */
  readyItems(query: ReadyQuery): Promise<WorkItem[]>;
  /** Largest `position` among live items with this project and status, or null. */
  maxPosition(projectId: string, status: string): Promise<number | null>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Number of records written locally after the given change counter. */
  countChangedSince(type: EntityType, localSeq: number): Promise<number>;
  /** The counter of the current write transaction (allocated on first use). */
  localSeq(): Promise<number>;
  /** The change counter as committed: every row written so far is stamped with it or lower. */
  changeSeq(): Promise<number>;
  /** Ids of records (deleted ones included) written after the given change counter. */
  changedIds(type: EntityType, afterSeq: number): Promise<string[]>;
  /** How many times rows were removed (`deleteAll`, `deleteRows`): those leave no stamp. */
  removals(): Promise<number>;
  schemaVersion(): Promise<number>;

  insertToken(token: ApiToken, secretHash: string): Promise<void>;
  /** Every token, revoked ones included, oldest first. */
  listTokens(): Promise<ApiToken[]>;
  tokenByHash(secretHash: string): Promise<ApiToken | undefined>;
  /** Marks a token revoked (once: an earlier revocation time is kept); undefined if there is none. */
  revokeToken(id: string, at: string): Promise<ApiToken | undefined>;

  /**
   * Takes a named lock on this database that lasts until `release()` or until the process
   * dies, whatever way it dies; undefined when another process (or connection) holds it.
   * `pm serve` uses it so that one database has at most one server. A shared lock (PostgreSQL)
   * admits other shared holders and keeps out an exclusive one: servers that scale out together.
   */
  holdLock(name: string, options?: { shared?: boolean }): Promise<HeldLock | undefined>;

  /**
   * Reserves the next request under a rate limit held by every process on this database (a sync
   * connection's, scale-out), in one atomic statement. Returns when the request may go, on the
   * caller's clock: at once (at or before `now`) for a burst, then one `intervalMs` after another.
   * Call it outside transactions: a turn taken is not given back by a rollback.
   */
  reserveRequest(connection: string, reservation: RateReservation): Promise<number>;
}
