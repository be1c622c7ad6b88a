import { sql } from 'kysely';
import type { RunCounters } from '../domain/index.js';
import type { Db } from './kysely-store.js';
import type { Dialect } from './store.js';

export type BatchStatus = 'queued' | 'running' | 'done' | 'failed';

/** What a finished batch did, summed into its run's counters. */
export interface BatchResult {
  counters: RunCounters;
  done: number;
  failed: number;
}

/** A part of a run's push: local record ids, pushed by whichever process claims it. */
export interface SyncBatch {
  id: string;
  run_id: string;
  /** Batches of a later wave wait until every batch of the earlier waves has finished (parents first). */
  wave: number;
  seq: number;
  ids: string[];
  status: BatchStatus;
  /** How many times it was claimed; the current claim's fence. */
  attempt: number;
  owner: string | null;
  lease_until: number | null;
  result: BatchResult | null;
  error: string | null;
}

/**
 * The job queue of scale-out: batches claimed with FOR UPDATE SKIP LOCKED under a lease that
 * the holder renews. A claim moves `attempt` on, so whatever an earlier holder still writes is
 * refused (`holds` in its write transaction); a lease that runs out frees the batch for another.
 */
export interface BatchQueue {
  enqueue(batches: readonly SyncBatch[]): Promise<void>;
  /** The next batch of a running run that is free (queued, or its lease ran out), claimed by `owner`. */
  claim(owner: string, leaseMs: number): Promise<SyncBatch | undefined>;
  /** Extends the lease; false when the claim is no longer this one's. */
  renew(id: string, attempt: number, leaseMs: number): Promise<boolean>;
  /** In a write transaction: true while the claim holds, and then no one can claim it before the commit. */
  holds(id: string, attempt: number): Promise<boolean>;
  /** Ends a claim: done or failed with what it did, or queued again for another attempt. */
  finish(id: string, attempt: number, outcome: { status: BatchStatus; result?: BatchResult; error?: string }): Promise<boolean>;
  /** Gives up a run's batches that no one has finished (the run failed or was cancelled). */
  abandon(runId: string, error: string): Promise<void>;
  ofRun(runId: string): Promise<SyncBatch[]>;
}

type Row = Record<string, unknown>;

function toBatch(row: Row): SyncBatch {
  return {
    id: String(row.id),
    run_id: String(row.run_id),
    wave: Number(row.wave),
    seq: Number(row.seq),
    ids: JSON.parse(String(row.ids)) as string[],
    status: row.status as BatchStatus,
    attempt: Number(row.attempt),
    owner: (row.owner as string | null) ?? null,
    lease_until: row.lease_until === null || row.lease_until === undefined ? null : Number(row.lease_until),
    result: row.result ? (JSON.parse(row.result as string) as BatchResult) : null,
    error: (row.error as string | null) ?? null,
  };
}

export class KyselyBatchQueue implements BatchQueue {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** Now in ms on the database's clock, so processes on several machines agree on leases. */
  private get now() {
    return this.dialect === 'postgres'
      ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
      : sql<number>`${Date.now()}`;
  }

  async enqueue(batches: readonly SyncBatch[]): Promise<void> {
    for (let at = 0; at < batches.length; at += 200) {
      await this.db
        .insertInto('sync_batches')
        .values(
          batches.slice(at, at + 200).map((b) => ({
            ...b,
            ids: JSON.stringify(b.ids),
            result: b.result ? JSON.stringify(b.result) : null,
          })),
        )
        .execute();
    }
  }

  async claim(owner: string, leaseMs: number): Promise<SyncBatch | undefined> {
    const skipLocked = this.dialect === 'postgres' ? sql`for update of b skip locked` : sql``;
    const result = await sql<Row>`
      update sync_batches set status = 'running', attempt = attempt + 1, owner = ${owner},
        lease_until = ${this.now} + ${leaseMs}
      where id = (
        select b.id from sync_batches b join sync_runs r on r.id = b.run_id
        where r.status = 'running'
          and (b.status = 'queued' or (b.status = 'running' and b.lease_until < ${this.now}))
          and not exists (
            select 1 from sync_batches e
            where e.run_id = b.run_id and e.wave < b.wave and e.status in ('queued', 'running'))
        order by r.created_at, b.wave, b.seq
        limit 1 ${skipLocked})
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? toBatch(row) : undefined;
  }

  async renew(id: string, attempt: number, leaseMs: number): Promise<boolean> {
    const result = await sql`
      update sync_batches set lease_until = ${this.now} + ${leaseMs}
      where id = ${id} and attempt = ${attempt} and status = 'running'`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  async holds(id: string, attempt: number): Promise<boolean> {
    const lock = this.dialect === 'postgres' ? sql`for share` : sql``;
    const result = await sql<Row>`select attempt, status from sync_batches where id = ${id} ${lock}`.execute(this.db);
    const row = result.rows[0];
    return row !== undefined && Number(row.attempt) === attempt && row.status === 'running';
  }

  async finish(
    id: string,
    attempt: number,
    outcome: { status: BatchStatus; result?: BatchResult; error?: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('sync_batches')
      .set({
        status: outcome.status,
        result: outcome.result ? JSON.stringify(outcome.result) : null,
        error: outcome.error ?? null,
        lease_until: null,
      })
      .where('id', '=', id)
      .where('attempt', '=', attempt)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async abandon(runId: string, error: string): Promise<void> {
    await this.db
      .updateTable('sync_batches')
      .set({ status: 'failed', error, lease_until: null })
      .where('run_id', '=', runId)
      .where('status', 'in', ['queued', 'running'])
      .execute();
  }

  async ofRun(runId: string): Promise<SyncBatch[]> {
    const rows = await this.db
      .selectFrom('sync_batches')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('wave')
      .orderBy('seq')
      .execute();
    return rows.map(toBatch);
  }
}
