import type { EntityRecords, EntityType } from '../../domain/index.js';
import { KyselyStore, type Db, type Transactor } from '../kysely-store.js';
import { stampValues, toValues, type Stamps } from '../rows.js';
import type { WriteOptions } from '../store.js';
import { PostgresBulk, type BackendClients } from './postgres-bulk.js';

/**
 * The Store on PostgreSQL with its bulk paths: inserts and upserts of many rows go through
 * COPY (see `PostgresBulk`), inside the caller's transaction or, outside one, in their own.
 */
export abstract class PostgresBulkStore extends KyselyStore {
  #bulk: PostgresBulk | undefined;

  constructor(
    location: string,
    db: Db,
    transactor: Transactor,
    inTransaction: boolean,
    onClose: () => Promise<void>,
    protected readonly clients: BackendClients,
  ) {
    super('postgres', location, db, transactor, inTransaction, onClose);
  }

  override insertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    return this.bulkWrite(records.length, options, (bulk, stamps) =>
      bulk.insert(
        type,
        records.map((r) => toValues(type, r, stamps)),
      ),
    );
  }

  override insertRows(type: EntityType, rows: readonly unknown[][], options: WriteOptions = {}): Promise<void> {
    return this.bulkWrite(rows.length, options, (bulk, stamps) =>
      bulk.insert(
        type,
        rows.map((row) => stampValues(row, stamps)),
      ),
    );
  }

  override upsertMany<E extends EntityType>(
    type: E,
    records: readonly EntityRecords[E][],
    options: WriteOptions = {},
  ): Promise<void> {
    return this.bulkWrite(records.length, options, (bulk, stamps) =>
      bulk.upsert(
        type,
        records.map((r) => toValues(type, r, stamps)),
      ),
    );
  }

  private async bulkWrite(
    count: number,
    options: WriteOptions,
    fn: (bulk: PostgresBulk, stamps: Stamps) => Promise<void>,
  ): Promise<void> {
    if (count === 0) return;
    if (!this.inTransaction) return this.write((tx) => (tx as PostgresBulkStore).bulkWrite(count, options, fn));
    this.#bulk ??= new PostgresBulk(() => this.clients.of(this.db));
    await fn(this.#bulk, await this.stamps(options));
  }
}
