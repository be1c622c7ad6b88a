import type { AuditEntry, RunStatus, SyncLink, SyncRun, SyncRunItem } from '../domain/index.js';
import { sql } from 'kysely';
import { idChunks } from './id-chunks.js';
import type { Db } from './kysely-store.js';

export interface RunQuery {
  connection?: string;
  status?: RunStatus[];
  /** Only runs that synced records of this type. */
  entity?: string;
  /** Only runs requested at or after this time, and at or before `to` (canonical timestamps). */
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface FailureQuery {
  connection?: string;
  /** Only failures of records of this type. */
  entity?: string;
  /** Only these failures (sync item ids). */
  ids?: readonly string[];
  limit?: number;
  offset?: number;
}

export interface AuditQuery {
  limit?: number;
  offset?: number;
  entityId?: string;
  entityType?: string;
  action?: string;
  actor?: string;
}

/** Reads one link at a time, synchronously: a run looks up only the links it needs. */
export interface LinkReader {
  byLocal(entityType: string, localId: string): SyncLink | undefined;
  byRemote(entityType: string, remoteId: string): SyncLink | undefined;
}

/** The sync engine's state: links, runs and their items, cursors, audit entries. */
export interface SyncRepository {
  links(connection: string, entityType: string): Promise<SyncLink[]>;
  /** Where the database answers synchronously (SQLite); undefined elsewhere, and links are read whole. */
  linkReader(connection: string): LinkReader | undefined;
  linkByRemote(connection: string, entityType: string, remoteId: string): Promise<SyncLink | undefined>;
  putLink(link: SyncLink): Promise<void>;
  deleteLink(connection: string, entityType: string, localId: string): Promise<void>;

  insertRun(run: SyncRun): Promise<void>;
  getRun(id: string): Promise<SyncRun | undefined>;
  /** Ids of runs (or run items) ending with this text: how people type the short ids pm prints. */
  idsEndingWith(table: 'sync_runs' | 'sync_run_items', suffix: string, limit: number): Promise<string[]>;
  runByIdempotencyKey(connection: string, key: string): Promise<SyncRun | undefined>;
  listRuns(query?: RunQuery): Promise<{ runs: SyncRun[]; total: number }>;
  updateRun(id: string, patch: Partial<SyncRun>): Promise<void>;
  /** Moves a queued run to running for this owner; false when it was not queued any more. */
  claimRun(id: string, owner: string, at: string): Promise<boolean>;
  /** Runs the database still calls active: queued or running. */
  activeRuns(): Promise<SyncRun[]>;

  insertRunItem(item: SyncRunItem): Promise<void>;
  insertRunItems(items: readonly SyncRunItem[]): Promise<void>;
  /**
   * Older failures of records this run acted on (done or failed again) are settled by it:
   * marked retried by this run, they leave the failures list.
   */
  supersedeFailures(connection: string, runId: string, at: string): Promise<void>;
  /** Marks failed items as retried by a later run: they leave the failures list. */
  markRetried(itemIds: readonly string[], runId: string, at: string): Promise<void>;
  updateRunItem(id: string, patch: Partial<SyncRunItem>): Promise<void>;
  runItems(runId: string): Promise<SyncRunItem[]>;
  getRunItem(id: string): Promise<SyncRunItem | undefined>;
  /** Items that failed and were not retried since, newest first. */
  failures(query?: FailureQuery): Promise<{ items: (SyncRunItem & { connection: string })[]; total: number }>;

  getCursor(connection: string, entityType: string): Promise<string | undefined>;
  setCursor(connection: string, entityType: string, cursor: string, at: string): Promise<void>;

  insertAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;
  /** How many entries match the query's filters (its limit and offset aside). */
  countAudit(query?: AuditQuery): Promise<number>;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/** The columns of a connection's links of one type that vary: read in this order by `linkFromValues`. */
export const LINK_COLUMNS = [
  'local_id',
  'remote_id',
  'remote_url',
  'remote_updated_at',
  'local_hash',
  'remote_hash',
  'base',
  'synced_at',
] as const;

/** A stored link of a connection and type from its other column values, in `LINK_COLUMNS` order. */
export function linkFromValues(connection: string, entityType: string, values: readonly unknown[]): SyncLink {
  const text = values[6] as string;
  let base: Record<string, unknown> | undefined;
  // A run reads every link but the bases of few (those it compares or moves): parsed on first read.
  return {
    connection,
    entity_type: entityType,
    local_id: values[0] as string,
    remote_id: values[1] as string,
    remote_url: values[2] as string | null,
    remote_updated_at: values[3] as string | null,
    local_hash: values[4] as string,
    remote_hash: values[5] as string,
    get base() {
      return (base ??= JSON.parse(text) as Record<string, unknown>);
    },
    set base(value) {
      base = value;
    },
    synced_at: values[7] as string,
  };
}

const toLink = (row: Record<string, unknown>): SyncLink =>
  linkFromValues(
    row.connection as string,
    row.entity_type as string,
    LINK_COLUMNS.map((c) => row[c]),
  );

function toRun(row: Record<string, unknown>): SyncRun {
  return {
    ...(row as unknown as SyncRun),
    dry_run: row.dry_run === 1 || row.dry_run === true,
    overwrite_mode: row.overwrite_mode === 1 || row.overwrite_mode === true,
    deletion_count: Number(row.deletion_count ?? 0),
    filters: JSON.parse(row.filters as string) as SyncRun['filters'],
    counters: JSON.parse(row.counters as string) as SyncRun['counters'],
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
  };
}

function runColumns(patch: Partial<SyncRun>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...patch };
  if (patch.dry_run !== undefined) out.dry_run = patch.dry_run ? 1 : 0;
  if (patch.overwrite_mode !== undefined) out.overwrite_mode = patch.overwrite_mode ? 1 : 0;
  if (patch.filters !== undefined) out.filters = json(patch.filters);
  if (patch.counters !== undefined) out.counters = json(patch.counters);
  return out;
}

function toItem(row: Record<string, unknown>): SyncRunItem {
  return { ...(row as unknown as SyncRunItem), seq: Number(row.seq), attempts: Number(row.attempts) };
}

/** The repository on the store's Kysely connection (or transaction). */
export class KyselySyncRepository implements SyncRepository {
  constructor(protected readonly db: Db) {}

  async links(connection: string, entityType: string): Promise<SyncLink[]> {
    const rows = await this.db
      .selectFrom('sync_links')
      .selectAll()
      .where('connection', '=', connection)
      .where('entity_type', '=', entityType)
      .execute();
    return rows.map(toLink);
  }

  linkReader(_connection: string): LinkReader | undefined {
    return undefined;
  }

  async linkByRemote(connection: string, entityType: string, remoteId: string): Promise<SyncLink | undefined> {
    const row = await this.db
      .selectFrom('sync_links')
      .selectAll()
      .where('connection', '=', connection)
      .where('entity_type', '=', entityType)
      .where('remote_id', '=', remoteId)
      .executeTakeFirst();
    return row ? toLink(row) : undefined;
  }

  async putLink(link: SyncLink): Promise<void> {
    const row = { ...link, base: json(link.base) };
    await this.db
      .insertInto('sync_links')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['connection', 'entity_type', 'local_id']).doUpdateSet({
          remote_id: link.remote_id,
          remote_url: link.remote_url,
          remote_updated_at: link.remote_updated_at,
          local_hash: link.local_hash,
          remote_hash: link.remote_hash,
          base: row.base,
          synced_at: link.synced_at,
        }),
      )
      .execute();
  }

  async deleteLink(connection: string, entityType: string, localId: string): Promise<void> {
    await this.db
      .deleteFrom('sync_links')
      .where('connection', '=', connection)
      .where('entity_type', '=', entityType)
      .where('local_id', '=', localId)
      .execute();
  }

  async insertRun(run: SyncRun): Promise<void> {
    await this.db.insertInto('sync_runs').values(runColumns(run)).execute();
  }

  async getRun(id: string): Promise<SyncRun | undefined> {
    const row = await this.db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRun(row) : undefined;
  }

  async idsEndingWith(table: 'sync_runs' | 'sync_run_items', suffix: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom(table)
      .select('id')
      .where('id', 'like', `%${suffix.replace(/[\\%_]/g, '')}`)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id as string);
  }

  async runByIdempotencyKey(connection: string, key: string): Promise<SyncRun | undefined> {
    const row = await this.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('connection', '=', connection)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toRun(row) : undefined;
  }

  async listRuns(query: RunQuery = {}): Promise<{ runs: SyncRun[]; total: number }> {
    let q = this.db.selectFrom('sync_runs');
    if (query.connection !== undefined) q = q.where('connection', '=', query.connection);
    if (query.status?.length) q = q.where('status', 'in', query.status);
    // Counters are JSON keyed by entity type at the top level only: `"work_items":{` names the type.
    // A run of some types only has them last in its filters (see RunFilters.entity_types).
    if (query.entity !== undefined) {
      const type = query.entity.replace(/[^a-z_]/g, '');
      q = q.where((eb) =>
        eb.or([eb('counters', 'like', `%"${type}":{%`), eb('filters', 'like', `%"entity_types":[%"${type}"%`)]),
      );
    }
    if (query.from !== undefined) q = q.where('created_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('created_at', '<=', query.to);
    const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0)
      .execute();
    return { runs: rows.map(toRun), total };
  }

  async updateRun(id: string, patch: Partial<SyncRun>): Promise<void> {
    await this.db.updateTable('sync_runs').set(runColumns(patch)).where('id', '=', id).execute();
  }

  async claimRun(id: string, owner: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sync_runs')
      .set({ status: 'running', owner, started_at: at, heartbeat_at: at })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async activeRuns(): Promise<SyncRun[]> {
    const rows = await this.db.selectFrom('sync_runs').selectAll().where('status', 'in', ['queued', 'running']).execute();
    return rows.map(toRun);
  }

  async insertRunItem(item: SyncRunItem): Promise<void> {
    await this.db
      .insertInto('sync_run_items')
      .values({ ...item })
      .execute();
  }

  async insertRunItems(items: readonly SyncRunItem[]): Promise<void> {
    for (let at = 0; at < items.length; at += 50) {
      await this.db
        .insertInto('sync_run_items')
        .values(items.slice(at, at + 50).map((item) => ({ ...item })))
        .execute();
    }
  }

  async supersedeFailures(connection: string, runId: string, at: string): Promise<void> {
    await sql`
      update sync_run_items set status = 'retried', retried_by = ${runId}, updated_at = ${at}
      where status = 'failed' and run_id <> ${runId}
        and run_id in (select id from sync_runs where connection = ${connection})
        and exists (
          select 1 from sync_run_items n
          where n.run_id = ${runId} and n.entity_type = sync_run_items.entity_type and n.status in ('done', 'failed')
            and ((n.local_id is not null and n.local_id = sync_run_items.local_id)
              or (n.local_id is null and n.remote_id is not null and n.remote_id = sync_run_items.remote_id))
        )`.execute(this.db);
  }

  async markRetried(itemIds: readonly string[], runId: string, at: string): Promise<void> {
    for (const chunk of idChunks(itemIds)) {
      await this.db
        .updateTable('sync_run_items')
        .set({ status: 'retried', retried_by: runId, updated_at: at })
        .where('id', 'in', chunk)
        .where('status', '=', 'failed')
        .execute();
    }
  }

  async updateRunItem(id: string, patch: Partial<SyncRunItem>): Promise<void> {
    await this.db
      .updateTable('sync_run_items')
      .set({ ...patch })
      .where('id', '=', id)
      .execute();
  }

  async runItems(runId: string): Promise<SyncRunItem[]> {
    const rows = await this.db.selectFrom('sync_run_items').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
    return rows.map(toItem);
  }

  async getRunItem(id: string): Promise<SyncRunItem | undefined> {
    const row = await this.db.selectFrom('sync_run_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toItem(row) : undefined;
  }

  async failures(query: FailureQuery = {}) {
    let q = this.db
      .selectFrom('sync_run_items as i')
      .innerJoin('sync_runs as r', 'r.id', 'i.run_id')
      .where('i.status', '=', 'failed');
    if (query.connection !== undefined) q = q.where('r.connection', '=', query.connection);
    if (query.entity !== undefined) q = q.where('i.entity_type', '=', query.entity);
    if (query.ids !== undefined) q = q.where('i.id', 'in', query.ids.length ? [...query.ids] : ['']);
    const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q
      .selectAll('i')
      .select('r.connection')
      .orderBy('i.updated_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0)
      .execute();
    return { items: rows.map((row) => ({ ...toItem(row), connection: row.connection as string })), total };
  }

  async getCursor(connection: string, entityType: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sync_cursors')
      .select('cursor')
      .where('connection', '=', connection)
      .where('entity_type', '=', entityType)
      .executeTakeFirst();
    return row?.cursor as string | undefined;
  }

  async setCursor(connection: string, entityType: string, cursor: string, at: string): Promise<void> {
    await this.db
      .insertInto('sync_cursors')
      .values({ connection, entity_type: entityType, cursor, updated_at: at })
      .onConflict((oc) => oc.columns(['connection', 'entity_type']).doUpdateSet({ cursor, updated_at: at }))
      .execute();
  }

  async insertAudit(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_logs')
      .values({ ...entry, details: json(entry.details) })
      .execute();
  }

  private auditWhere(query: AuditQuery) {
    let q = this.db.selectFrom('audit_logs');
    if (query.entityId !== undefined) q = q.where('entity_id', '=', query.entityId);
    if (query.entityType !== undefined) q = q.where('entity_type', '=', query.entityType);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    return q;
  }

  async countAudit(query: AuditQuery = {}): Promise<number> {
    const row = await this.auditWhere(query)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const rows = await this.auditWhere(query)
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map((row) => ({
      ...(row as unknown as AuditEntry),
      details: JSON.parse(row.details as string) as Record<string, unknown>,
    }));
  }
}
