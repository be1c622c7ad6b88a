import { sql } from 'kysely';
import type { Db } from './kysely-store.js';

/** What `Store.reserveRequest` is asked: the caller's clock, and the limit. */
export interface RateReservation {
  /** Now, in ms since the epoch, on the caller's clock. */
  now: number;
  /** 1000 / requests a second. */
  intervalMs: number;
  /** How many requests may go at once after a quiet spell. */
  burst: number;
}

/**
 * How far ahead of `now` a stored `tat` may be: one that is further ahead was set by a clock
 * that ran ahead (or was set back since), and must not stop the connection for that long.
 */
const RATE_HORIZON_MS = 60_000;

/**
 * GCRA in one statement, atomic in both dialects (an upsert locks the row): the new `tat` is
 * the later of the stored one and now, plus one interval; the request may go `burst` intervals
 * before it. A burst thus goes at once, and then one request per interval, whichever process
 * asks.
 */
export async function reserveRequest(db: Db, connection: string, r: RateReservation): Promise<number> {
  const now = sql`cast(${r.now} as double precision)`;
  const interval = sql`cast(${r.intervalMs} as double precision)`;
  const horizon = sql`cast(${r.now + RATE_HORIZON_MS} as double precision)`;
  const result = await sql<{ tat: number | string }>`
    insert into sync_rate_limits (connection, tat) values (${connection}, ${now} + ${interval})
    on conflict (connection) do update set tat = case
      when sync_rate_limits.tat > ${horizon} then ${horizon}
      when sync_rate_limits.tat > ${now} then sync_rate_limits.tat
      else ${now} end + ${interval}
    returning tat`.execute(db);
  return Number(result.rows[0]!.tat) - r.burst * r.intervalMs;
}
