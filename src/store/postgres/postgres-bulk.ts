import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityType } from '../../domain/index.js';
import type { Db } from '../kysely-store.js';
import { columnsOf } from '../rows.js';

/** Characters COPY's text format escapes, and how. */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** Bytes of COPY text handed to the socket at a time. */
const CHUNK_CHARS = 1 << 20;

/** One value in COPY's text format: `\N` for null, backslash escapes in text. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TypeError(`a bulk write got a ${typeof value} where rows hold text, numbers or null`);
}

/** Rows as COPY text, a line per row, in chunks of about `CHUNK_CHARS`. */
export function* copyText(rows: readonly (readonly unknown[])[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) chunk += (i === 0 ? '' : '\t') + copyField(row[i]);
    chunk += '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * The pool's clients by backend process id, so that a transaction Kysely holds can find the
 * client it runs on (COPY needs the client itself; Kysely keeps it to itself).
 */
export class BackendClients {
  readonly #clients = new Map<number, pg.ClientBase>();

  constructor(pool: pg.Pool) {
    pool.on('connect', (client) => {
      const pid = processId(client);
      if (pid !== undefined) this.#clients.set(pid, client);
    });
    pool.on('remove', (client) => {
      const pid = processId(client);
      if (pid !== undefined && this.#clients.get(pid) === client) this.#clients.delete(pid);
    });
  }

  /** The client a transaction's connection is. */
  async of(tx: Db): Promise<pg.ClientBase> {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
    const client = this.#clients.get(Number(rows[0]?.pid));
    if (!client) throw new Error('the PostgreSQL connection of this transaction is not one of the pool');
    return client;
  }
}

/** The server process a client talks to (pg sets it on connect; its types leave it out). */
function processId(client: pg.ClientBase): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * PostgreSQL's bulk writes inside one transaction: rows go to the server with COPY. Inserts
 * COPY straight into the table (a duplicate id fails as an INSERT would); upserts COPY into a
 * staging table (temporary, dropped at the end of the transaction), then merge it into the
 * table with one `INSERT … SELECT … ON CONFLICT (id) DO UPDATE`. All of it is part of the
 * caller's transaction: a failure or a rollback leaves nothing behind.
 */
export class PostgresBulk {
  readonly #staged = new Set<EntityType>();

  constructor(private readonly client: () => Promise<pg.ClientBase>) {}

  /** Inserts rows encoded as `toValues` encodes them, in `columnsOf(type)` order. */
  async insert(type: EntityType, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    await copy(await this.client(), type, type, rows);
  }

  /** Inserts or overwrites rows (as `insert` takes them); of rows with the same id, the last wins. */
  async upsert(type: EntityType, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const client = await this.client();
    const stage = `pm_stage_${type}`;
    if (!this.#staged.has(type)) {
      await client.query(`create temporary table if not exists ${stage} (like ${type}) on commit drop`);
      this.#staged.add(type);
    }
    await copy(client, stage, type, lastOfEachId(rows));
    const columns = quoted(columnsOf(type));
    const update = columnsOf(type)
      .filter((c) => c !== 'id')
      .map((c) => `"${c}" = excluded."${c}"`)
      .join(', ');
    // Emptied in place: the table was made in this transaction, so this is cheap.
    await client.query(
      `insert into ${type} (${columns}) select ${columns} from ${stage} on conflict (id) do update set ${update}; truncate ${stage}`,
    );
  }
}

/** COPY of rows with the columns of `type` into `table` (the type's own, or its staging table). */
async function copy(
  client: pg.ClientBase,
  table: string,
  type: EntityType,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const stream = client.query(copyFrom(`copy ${table} (${quoted(columnsOf(type))}) from stdin`));
  await pipeline(Readable.from(copyText(rows), { objectMode: false }), stream);
}

function quoted(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(', ');
}

/** An upsert of one id twice in one statement is an error: the later row is the one meant. */
function lastOfEachId(rows: readonly (readonly unknown[])[]): readonly (readonly unknown[])[] {
  const seen = new Set<unknown>();
  for (const row of rows) {
    if (seen.has(row[0])) {
      const last = new Map<unknown, readonly unknown[]>();
      for (const r of rows) {
        last.delete(r[0]);
        last.set(r[0], r);
      }
      return [...last.values()];
    }
    seen.add(row[0]);
  }
  return rows;
}
