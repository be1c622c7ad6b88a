import type { ListScope, Listing } from './connector.js';
import type { ResponseHeaders } from './http.js';
import type { RemoteRecord, SyncedFields } from './records.js';

/**
 * What a resource's listing hands the engine, kept as it goes: full listings name every record
 * in a census; incremental ones skip what the engine already knows as it is; the cursor is the
 * remote's clock when the listing began (its Date header), or else the newest change listed.
 */
export class Listed {
  private readonly census: Set<string> | undefined;
  private clock: string | undefined;
  private newest: string | undefined;

  constructor(
    private readonly scope: ListScope,
    private readonly emit: (record: RemoteRecord) => Promise<void>,
  ) {
    this.census = scope.mode === 'full' ? new Set() : undefined;
  }

  get full(): boolean {
    return this.scope.mode === 'full';
  }

  /** For the listing's first answer: the remote's own time when it was listed. */
  readonly onHeaders = (headers: ResponseHeaders): void => {
    const date = Date.parse(headers.get('date') ?? '');
    if (this.clock === undefined && !Number.isNaN(date)) this.clock = new Date(date).toISOString();
  };

  async add(record: RemoteRecord): Promise<void> {
    this.census?.add(record.remoteId);
    if (record.updatedAt !== null && (this.newest === undefined || record.updatedAt > this.newest))
      this.newest = record.updatedAt;
    if (!this.full && this.scope.known(record)) return;
    await this.emit(record);
  }

  /** The listing; `cursor`: whether this type keeps one (it lists incrementally). */
  listing(cursor: boolean): Listing {
    return { cursor: cursor ? (this.clock ?? this.newest) : undefined, census: this.census };
  }
}

/**
 * The listing of a type that reads incrementally: every row on full runs, the rows changed since
 * the cursor on incremental ones. A row that is no record of this type (time on a project, not
 * on an item) maps to undefined and is left out.
 */
export async function listIncrementally<T>(
  scope: ListScope,
  emit: (record: RemoteRecord) => Promise<void>,
  options: {
    all: (onHeaders: (headers: ResponseHeaders) => void) => AsyncIterable<T>;
    since: (since: string, onHeaders: (headers: ResponseHeaders) => void) => AsyncIterable<T>;
    record: (row: T) => RemoteRecord | undefined;
  },
): Promise<Listing> {
  const listed = new Listed(scope, emit);
  const rows =
    listed.full || scope.since === undefined ? options.all(listed.onHeaders) : options.since(scope.since, listed.onHeaders);
  for await (const row of rows) {
    const record = options.record(row);
    if (record) await listed.add(record);
  }
  return listed.listing(true);
}

/** The listing of a type read whole every run, or through the records of its parents: no cursor. */
export async function listEach(
  scope: ListScope,
  emit: (record: RemoteRecord) => Promise<void>,
  records: Iterable<RemoteRecord | undefined> | AsyncIterable<RemoteRecord | undefined>,
): Promise<Listing> {
  const listed = new Listed(scope, emit);
  const seen = new Set<string>();
  for await (const record of records) {
    // A record listed twice (a relation seen from both its ends) counts once.
    if (!record || seen.has(record.remoteId)) continue;
    seen.add(record.remoteId);
    await listed.add(record);
  }
  return listed.listing(false);
}

/** Records found for pm ids by a field the remote keeps unique (a version's name): what `find` answers. */
export function matchBy(
  field: string,
  pmIds: readonly string[],
  fields: ReadonlyMap<string, SyncedFields>,
  records: readonly RemoteRecord[],
): Map<string, RemoteRecord> {
  const found = new Map<string, RemoteRecord>();
  for (const pmId of pmIds) {
    const match = records.find((r) => r.fields[field] === fields.get(pmId)?.[field]);
    if (match) found.set(pmId, match);
  }
  return found;
}

/** Each row of an async listing, mapped. */
export async function* mapAsync<T, U>(rows: AsyncIterable<T>, map: (row: T) => U): AsyncGenerator<U> {
  for await (const row of rows) yield map(row);
}
