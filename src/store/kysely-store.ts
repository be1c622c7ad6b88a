import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { EntityRecords, EntityType, Project, WorkItem } from '../domain/index.js';
import { idChunks } from './id-chunks.js';
import { columnsOf, fromRow, rowJsonEncoder, stampValues, toRow, toValues, type Stamps } from './rows.js';
import { reserveRequest, type RateReservation } from './rate-limits.js';
import { KyselyBatchQueue, type BatchQueue } from './sync-batches.js';
import { KyselySyncRepository, type SyncRepository } from './sync-repository.js';
import type {
  ApiToken,
  ClearedLink,
  Dialect,
  HeldLock,
  ItemJson,
  KeyAlias,
  ListQuery,
  NumberedRow,
  ReadyQuery,
  Store,
  TransactionOptions,
  WriteOptions,
} from './store.js';

/** Tables addressed by entity type at run time; rows are typed by the codecs in rows.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic table access stays inside this file
export type LooseDatabase = Record<string, Record<string, any>>;
export type Db = Kysely<LooseDatabase>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see LooseDatabase
type Select = SelectQueryBuilder<LooseDatabase, string, any>;

export interface Transactor {
  /** Runs `fn` on one connection inside a write transaction. */
  write<T>(db: Db, fn: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;
  read<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T>;
}

const LOCAL_SEQ_KEY = 'local_seq';
const CHANGE_SEQ_KEY = 'change_seq';
const REMOVALS_KEY = 'rows_removed';
/** Bind parameters per statement, under SQLite's and PostgreSQL's limits. */
const MAX_BIND_PARAMETERS = 30_000;
const SCAN_BATCH = 5_000;

/** The Store over Kysely: one implementation for every dialect, given how it transacts. */
export class KyselyStore implements Store {
  #seq: number | undefined;
  #change: number | undefined;

  constructor(
    readonly dialect: Dialect,
    readonly location: string,
    protected readonly db: Db,
    protected readonly transactor: Transactor,
    protected readonly inTransaction: boolean,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** A store bound to a transaction's connection; subclasses keep their bulk paths. */
  protected bind(tx: Db): KyselyStore {
    return new KyselyStore(this.dialect, this.location, tx, this.transactor, true, this.onClose);
  }

  async write<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.transactor.write(this.db, (tx) => fn(this.bind(tx)), options);
  }

  async read<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.transactor.read(this.db, (tx) => fn(this.bind(tx)));
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  get sync(): SyncRepository {
    return new KyselySyncRepository(this.db);
  }

  get batches(): BatchQueue {
    return new KyselyBatchQueue(this.db, this.dialect);
  }

  /** Exposed for dialect-specific bulk paths inside the store folder. */
  get kysely(): Db {
    return this.db;
  }

  async get<E extends EntityType>(type: E, id: string): Promise<EntityRecords[E] | undefined> {
    const row = await this.db.selectFrom(type).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(type, row) : undefined;
  }

  async getMany<E extends EntityType>(type: E, ids: readonly string[]): Promise<Map<string, EntityRecords[E]>> {
    const result = new Map<string, EntityRecords[E]>();
    for (const chunk of idChunks(ids)) {
      const rows = await this.db.selectFrom(type).selectAll().where('id', 'in', chunk).execute();
      for (const row of rows) result.set(row.id as string, fromRow(type, row));
    }
    return result;
  }

  async list<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<EntityRecords[E][]> {
    let q = this.filtered(this.db.selectFrom(type).selectAll(), query);
    for (const [field, direction, options] of query.orderBy ?? [['id', 'asc']]) {
      const by = options?.ranks
        ? sql`case ${sql.ref(field)} ${sql.join(
            options.ranks.map((value, i) => sql`when ${value} then ${sql.lit(i)}`),
            sql` `,
          )} else ${sql.lit(options.ranks.length)} end`
        : field;
      q = options?.nullsLast
        ? q.orderBy(by, (ob) => (direction === 'desc' ? ob.desc() : ob.asc()).nullsLast())
        : q.orderBy(by, direction);
    }
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    if (query.limit !== undefined) q = q.limit(query.limit);
    if (query.offset !== undefined) q = q.offset(query.offset);
    const rows = await q.execute();
    return rows.map((row) => fromRow(type, row));
  }

  async listItemJson(query: ListQuery<WorkItem>): Promise<ItemJson[]> {
    const items = await this.list('work_items', query);
    return items.map((item) => ({ json: JSON.stringify(item), project_id: item.project_id, item_number: item.item_number }));
  }

  async count<E extends EntityType>(type: E, query: ListQuery<EntityRecords[E]> = {}): Promise<number> {
    const table: string = type;
    const q = this.filtered(
      this.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')),
      query,
    );
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered<R>(q: Select, query: ListQuery<R>): Select {
    if (!query.includeDeleted) q = q.where('deleted_at', 'is', null);
    for (const [field, condition] of Object.entries(query.where ?? {})) {
      if (condition === undefined) continue;
      if (condition === null) q = q.where(field, 'is', null);
      else if (Array.isArray(condition)) {
        q = condition.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where(field, 'in', condition);
      } else if (typeof condition === 'object' && 'not' in condition) {
        const values = (condition as { not: readonly unknown[] }).not;
        if (values.length > 0) q = q.where(field, 'not in', values);
      } else q = q.where(field, '=', condition);
    }
    if (query.search && query.search.text !== '') {
      const pattern = `%${query.search.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const fields = query.search.fields;
      q = q.where((eb) => eb.or(fields.map((f) => eb(sql`lower(${sql.ref(f)})`, 'like', sql`${pattern} escape '\\'`))));
    }
    return q;
  }

  async insert<E extends EntityType>(type: E, record: EntityRecords[E], options: WriteOptions = {}): Promise<void> {
    await this.db
      .insertInto(type)
      .values(toRow(type, record, await this.stamps(options)))
      .execute();
  }

  async insertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    if (records.length === 0) return;
    const stamps = await this.stamps(options);
    await this.insertValues(
      type,
      records.map((r) => toValues(type, r, stamps)),
    );
  }

  async insertRows(type: EntityType, rows: readonly unknown[][], options: WriteOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const stamps = await this.stamps(options);
    await this.insertValues(
      type,
      rows.map((row) => stampValues(row, stamps)),
    );
  }

  private async insertValues(type: EntityType, rows: readonly unknown[][]): Promise<void> {
    const columns = columnsOf(type);
    const batch = Math.max(1, Math.floor(MAX_BIND_PARAMETERS / columns.length));
    const table: string = type;
    for (let i = 0; i < rows.length; i += batch) {
      const values = rows.slice(i, i + batch).map((row) => Object.fromEntries(columns.map((c, j) => [c, row[j]])));
      await this.db.insertInto(table).values(values).execute();
    }
  }

  async upsertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    if (records.length === 0) return;
    const stamps = await this.stamps(options);
    const columns = columnsOf(type);
    const batch = Math.max(1, Math.floor(MAX_BIND_PARAMETERS / columns.length));
    const table: string = type;
    for (let i = 0; i < records.length; i += batch) {
      const values = records.slice(i, i + batch).map((r) => {
        const row = toValues(type, r, stamps);
        return Object.fromEntries(columns.map((c, j) => [c, row[j]]));
      });
      await this.db
        .insertInto(table)
        .values(values)
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => Object.fromEntries(columns.filter((c) => c !== 'id').map((c) => [c, eb.ref(`excluded.${c}`)]))),
        )
        .execute();
    }
  }

  async deleteAll(type: EntityType): Promise<void> {
    const table: string = type;
    await this.db.deleteFrom(table).execute();
    await this.countRemoval();
  }

  async deleteRows(type: EntityType, ids: readonly string[]): Promise<void> {
    const table: string = type;
    if (ids.length > 0) await this.countRemoval();
    for (const chunk of idChunks(ids)) await this.db.deleteFrom(table).where('id', 'in', chunk).execute();
  }

  async ids(type: EntityType): Promise<Set<string>> {
    const table: string = type;
    const rows = await this.db.selectFrom(table).select('id').execute();
    return new Set(rows.map((row) => row.id as string));
  }

  async *scan<E extends EntityType>(type: E): AsyncIterable<EntityRecords[E]> | Iterable<EntityRecords[E]> {
    let after: string | undefined;
    for (;;) {
      let q = this.db.selectFrom(type).selectAll().orderBy('id').limit(SCAN_BATCH);
      if (after !== undefined) q = q.where('id', '>', after);
      const rows = await q.execute();
      for (const row of rows) yield fromRow(type, row);
      if (rows.length < SCAN_BATCH) return;
      after = rows[rows.length - 1]!.id as string;
    }
  }

  async *scanRows(type: EntityType): AsyncIterable<unknown[]> | Iterable<unknown[]> {
    const columns = columnsOf(type);
    let after: string | undefined;
    const table: string = type;
    for (;;) {
      let q = this.db.selectFrom(table).select(columns).orderBy('id').limit(SCAN_BATCH);
      if (after !== undefined) q = q.where('id', '>', after);
      const rows = await q.execute();
      for (const row of rows) yield columns.map((c) => row[c] as unknown);
      if (rows.length < SCAN_BATCH) return;
      after = rows[rows.length - 1]!.id as string;
    }
  }

  async *scanJson(type: EntityType): AsyncIterable<string> | Iterable<string> {
    const encode = rowJsonEncoder(type);
    for await (const row of this.scanRows(type)) yield encode(row);
  }

  async jsonBetween(type: EntityType, first: string, last: string): Promise<Map<string, string>> {
    const encode = rowJsonEncoder(type);
    const at = columnsOf(type).indexOf('id');
    return new Map((await this.rowsBetween(type, first, last)).map((row) => [row[at] as string, encode(row)]));
  }

  async idsBetween(type: EntityType, first: string, last: string): Promise<Set<string>> {
    const table: string = type;
    const rows = await this.db.selectFrom(table).select('id').where('id', '>=', first).where('id', '<=', last).execute();
    return new Set(rows.map((row) => row.id as string));
  }

  async rowsBetween(type: EntityType, first: string, last: string): Promise<unknown[][]> {
    const columns = columnsOf(type);
    const table: string = type;
    const rows = await this.db
      .selectFrom(table)
      .select(columns)
      .where('id', '>=', first)
      .where('id', '<=', last)
      .orderBy('id')
      .execute();
    return rows.map((row) => columns.map((c) => row[c] as unknown));
  }

  async rowsWithIds(type: EntityType, ids: readonly string[]): Promise<unknown[][]> {
    const columns = columnsOf(type);
    const table: string = type;
    const out: unknown[][] = [];
    for (const chunk of idChunks(ids)) {
      const rows = await this.db.selectFrom(table).select(columns).where('id', 'in', chunk).orderBy('id').execute();
      for (const row of rows) out.push(columns.map((c) => row[c] as unknown));
    }
    return out;
  }

  suspendIndexes(_types: readonly EntityType[]): Promise<() => Promise<void>> {
    return Promise.resolve(() => Promise.resolve());
  }

  async deferForeignKeys(): Promise<void> {
    await sql.raw(this.dialect === 'sqlite' ? 'pragma defer_foreign_keys = on' : 'set constraints all deferred').execute(this.db);
  }

  async numberCollisions(): Promise<NumberedRow[]> {
    const rows = await this.db
      .selectFrom('work_items as w')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('work_items')
            .select(['project_id', 'item_number'])
            .groupBy(['project_id', 'item_number'])
            .having((h) => h.fn.countAll(), '>', 1)
            .as('d'),
        (join) => join.onRef('d.project_id', '=', 'w.project_id').onRef('d.item_number', '=', 'w.item_number'),
      )
      .select(['w.id', 'w.project_id', 'w.item_number', 'w.created_at'])
      .execute();
    return rows.map((r) => ({
      id: r.id as string,
      project_id: r.project_id as string,
      item_number: Number(r.item_number),
      created_at: r.created_at as string,
    }));
  }

  async maxItemNumbers(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('work_items')
      .select(['project_id', (eb) => eb.fn.max('item_number').as('n')])
      .groupBy('project_id')
      .execute();
    return new Map(rows.map((r) => [r.project_id as string, Number(r.n)]));
  }

  async parentLinks(): Promise<[string, string][]> {
    const rows = await this.db.selectFrom('work_items').select(['id', 'parent_id']).where('parent_id', 'is not', null).execute();
    return rows.map((r) => [r.id as string, r.parent_id as string]);
  }

  async deletedDependencyEnds(): Promise<Map<string, string>> {
    const ends = new Map<string, string>();
    for (const column of ['d.blocking_item_id', 'd.blocked_item_id'] as const) {
      const rows = await this.db
        .selectFrom('dependencies as d')
        .innerJoin('work_items as w', 'w.id', column)
        .select(['w.id', 'w.deleted_at'])
        .where('d.deleted_at', 'is', null)
        .where('w.deleted_at', 'is not', null)
        .execute();
      for (const row of rows) ends.set(row.id as string, row.deleted_at as string);
    }
    return ends;
  }

  async update<E extends EntityType>(type: E, record: EntityRecords[E], options: WriteOptions = {}): Promise<void> {
    const { id, ...columns } = toRow(type, record, await this.stamps(options)) as Record<string, unknown>;
    const table: string = type;
    await this.db.updateTable(table).set(columns).where('id', '=', id).execute();
  }

  async idsEndingWith(type: EntityType, suffix: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom(type)
      .select('id')
      .where('id', 'like', `%${suffix.replace(/[\\%_]/g, '')}`)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id as string);
  }

  async projectByKey(key: string): Promise<Project | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('key', '=', key)
      .orderBy('deleted_at', (ob) => ob.desc().nullsFirst())
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? fromRow('projects', row) : undefined;
  }

  async itemByNumber(projectId: string, itemNumber: number): Promise<WorkItem | undefined> {
    const row = await this.db
      .selectFrom('work_items')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('item_number', '=', itemNumber)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    return row ? fromRow('work_items', row) : undefined;
  }

  async itemJsonByKey(projectKey: string, itemNumber: number): Promise<{ json: string; deleted: boolean } | undefined> {
    const columns = columnsOf('work_items');
    const project = this.db
      .selectFrom('projects')
      .select('id')
      .where('key', '=', projectKey)
      .orderBy('deleted_at', (ob) => ob.desc().nullsFirst())
      .orderBy('created_at')
      .limit(1);
    const row = await this.db
      .selectFrom('work_items')
      .select(columns)
      .where('project_id', '=', project)
      .where('item_number', '=', itemNumber)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (!row) return undefined;
    return { json: rowJsonEncoder('work_items')(columns.map((c) => row[c] as unknown)), deleted: row.deleted_at !== null };
  }

  async aliasesOf(projectId: string, itemNumber: number): Promise<KeyAlias[]> {
    const rows = await this.db
      .selectFrom('key_aliases')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('item_number', '=', itemNumber)
      .execute();
    return rows as KeyAlias[];
  }

  async addAliases(aliases: readonly KeyAlias[]): Promise<void> {
    for (const alias of aliases) {
      await this.db
        .insertInto('key_aliases')
        .values({ ...alias })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  async listAliases(workItemId: string): Promise<KeyAlias[]> {
    const rows = await this.db
      .selectFrom('key_aliases')
      .selectAll()
      .where('work_item_id', '=', workItemId)
      .orderBy('created_at')
      .execute();
    return rows as KeyAlias[];
  }

  async addClearedLinks(links: readonly ClearedLink[]): Promise<void> {
    for (const link of links) {
      await this.db
        .insertInto('cleared_links')
        .values({ ...link })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  async takeClearedLinks(deletedId: string, deletedAt: string): Promise<ClearedLink[]> {
    const rows = await this.db
      .deleteFrom('cleared_links')
      .where('deleted_id', '=', deletedId)
      .where('deleted_at', '=', deletedAt)
      .returningAll()
      .execute();
    return (rows as ClearedLink[]).sort((a, b) => a.work_item_id.localeCompare(b.work_item_id));
  }

  async allocateItemNumber(projectId: string): Promise<number> {
    const row = await this.db
      .updateTable('projects')
      .set((eb) => ({ next_work_item_number: eb('next_work_item_number', '+', 1) }))
      .where('id', '=', projectId)
      .returning('next_work_item_number')
      .executeTakeFirstOrThrow();
    const allocated = Number(row.next_work_item_number) - 1;
    const max = await this.db
      .selectFrom('work_items')
      .select((eb) => eb.fn.max('item_number').as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    const highest = Number(max?.n ?? 0);
    if (highest < allocated) return allocated;
    await this.db
      .updateTable('projects')
      .set({ next_work_item_number: highest + 2 })
      .where('id', '=', projectId)
      .execute();
    return highest + 1;
  }

  async blocksReachable(from: string, to: string): Promise<boolean> {
    const result = await sql<{ found: number }>`
      with recursive reach(id) as (
        select ${from}
        union
        select d.blocked_item_id from dependencies d join reach r on d.blocking_item_id = r.id
        where d.dependency_type = 'blocks' and d.deleted_at is null
      )
      select 1 as found from reach where id = ${to} limit 1`.execute(this.db);
    return result.rows.length > 0;
  }

  async ancestorIds(itemId: string): Promise<string[]> {
    const result = await sql<{ id: string; depth: number }>`
      with recursive chain(id, depth) as (
        select parent_id, 1 from work_items where id = ${itemId} and parent_id is not null
        union
        select w.parent_id, c.depth + 1 from work_items w join chain c on w.id = c.id
        where w.parent_id is not null and c.depth < 10000
      )
      select id, depth from chain order by depth`.execute(this.db);
    return result.rows.map((r) => r.id);
  }

  async readyItems(query: ReadyQuery): Promise<WorkItem[]> {
    const done = query.doneStatuses.length > 0 ? query.doneStatuses : ['\u0000'];
    let q = this.db
      .selectFrom('work_items as w')
      .selectAll('w')
      .where('w.deleted_at', 'is', null)
      .where('w.status', 'not in', done)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('dependencies as d')
              .innerJoin('work_items as b', 'b.id', 'd.blocking_item_id')
              .select(sql`1`.as('x'))
              .whereRef('d.blocked_item_id', '=', 'w.id')
              .where('d.dependency_type', '=', 'blocks')
              .where('d.deleted_at', 'is', null)
              .where('b.deleted_at', 'is', null)
              .where('b.status', 'not in', done),
          ),
        ),
      );
    if (query.projectId !== undefined) q = q.where('w.project_id', '=', query.projectId);
    if (query.assigneeId !== undefined) q = q.where('w.assignee_id', query.assigneeId === null ? 'is' : '=', query.assigneeId);
    if (query.sprintId !== undefined) q = q.where('w.sprint_id', query.sprintId === null ? 'is' : '=', query.sprintId);
    const rows = await q
      .orderBy(sql`case w.priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`)
      .orderBy('w.position')
      .orderBy('w.item_number')
      .limit(query.limit)
      .execute();
    return rows.map((row) => fromRow('work_items', row));
  }

  async maxPosition(projectId: string, status: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('work_items')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('project_id', '=', projectId)
      .where('status', '=', status)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row?.p === null || row?.p === undefined ? null : Number(row.p);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('pm_meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value as string | undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('pm_meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async countChangedSince(type: EntityType, localSeq: number): Promise<number> {
    const row = await this.db
      .selectFrom(type)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('local_seq', '>', localSeq)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async localSeq(): Promise<number> {
    if (this.#seq !== undefined) return this.#seq;
    const next = Number((await this.getMeta(LOCAL_SEQ_KEY)) ?? '0') + 1;
    await this.setMeta(LOCAL_SEQ_KEY, String(next));
    if (this.inTransaction) this.#seq = next;
    return next;
  }

  async changeSeq(): Promise<number> {
    return Number((await this.getMeta(CHANGE_SEQ_KEY)) ?? '0');
  }

  async removals(): Promise<number> {
    return Number((await this.getMeta(REMOVALS_KEY)) ?? '0');
  }

  /** A removed row leaves no stamp: this counter tells that rows went (see `removals`). */
  private async countRemoval(): Promise<void> {
    await this.setMeta(REMOVALS_KEY, String((await this.removals()) + 1));
  }

  async changedIds(type: EntityType, afterSeq: number): Promise<string[]> {
    const rows = await this.db.selectFrom(type).select('id').where('change_seq', '>', afterSeq).execute();
    return rows.map((r) => r.id as string);
  }

  /**
   * The counters this write stamps on its rows. The change counter is taken once per
   * transaction (its row stays locked until the commit), so a reader that sees counter N has
   * every row stamped N or lower committed.
   */
  protected async stamps(options: WriteOptions): Promise<Stamps> {
    const local = options.localSeq ?? (await this.localSeq());
    if (this.#change === undefined) {
      // One statement, so concurrent transactions (PostgreSQL) never take the same number.
      const row = await this.db
        .insertInto('pm_meta')
        .values({ key: CHANGE_SEQ_KEY, value: '1' })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`cast(cast(pm_meta.value as integer) + 1 as text)` }))
        .returning('value')
        .executeTakeFirstOrThrow();
      const next = Number(row.value);
      if (!this.inTransaction) return { local_seq: local, change_seq: next };
      this.#change = next;
    }
    return { local_seq: local, change_seq: this.#change };
  }

  async schemaVersion(): Promise<number> {
    return Number((await this.getMeta('schema_version')) ?? '0');
  }

  async insertToken(token: ApiToken, secretHash: string): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({ ...token, secret_hash: secretHash })
      .execute();
  }

  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').select(TOKEN_COLUMNS).orderBy('created_at').orderBy('id').execute();
    return rows;
  }

  async tokenByHash(secretHash: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(TOKEN_COLUMNS)
      .where('secret_hash', '=', secretHash)
      .executeTakeFirst();
    return row;
  }

  async revokeToken(id: string, at: string): Promise<ApiToken | undefined> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const row = await this.db.selectFrom('api_tokens').select(TOKEN_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row;
  }

  reserveRequest(connection: string, reservation: RateReservation): Promise<number> {
    return reserveRequest(this.db, connection, reservation);
  }

  /**
   * PostgreSQL: a session advisory lock on a connection kept out of the pool until release;
   * the server drops the session, and with it the lock, when the process dies. The key names
   * the schema, so pm databases that share a PostgreSQL database do not block each other.
   */
  async holdLock(name: string, options: { shared?: boolean } = {}): Promise<HeldLock | undefined> {
    if (this.dialect !== 'postgres') throw new Error(`holdLock is not implemented for ${this.dialect}`);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let settle!: (held: boolean) => void;
    const taken = new Promise<boolean>((resolve) => (settle = resolve));
    const session = this.db.connection().execute(async (conn) => {
      const key = sql`${LOCK_KEYSPACE}, hashtext(current_schema() || ':' || ${name})`;
      const take = options.shared ? sql`pg_try_advisory_lock_shared(${key})` : sql`pg_try_advisory_lock(${key})`;
      const result = await sql<{ held: boolean }>`select ${take} as held`.execute(conn);
      const held = result.rows[0]?.held === true;
      settle(held);
      if (!held) return;
      await released;
      await (options.shared ? sql`select pg_advisory_unlock_shared(${key})` : sql`select pg_advisory_unlock(${key})`).execute(
        conn,
      );
    });
    const ended = session.then(() => false);
    // A failure after the lock was taken surfaces in release().
    ended.catch(() => undefined);
    if (!(await Promise.race([taken, ended]))) return undefined;
    return {
      release: async () => {
        release();
        await session;
      },
    };
  }
}

const TOKEN_COLUMNS = ['id', 'name', 'scope', 'created_by', 'created_at', 'revoked_at'] as const;
/** First half of the two-key advisory locks `holdLock` takes (write transactions use 727003). */
const LOCK_KEYSPACE = 727002;
