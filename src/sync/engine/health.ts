import { FINISHED_RUN_STATUSES, runTotals, type SyncRun } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { SyncedType } from '../connectors/index.js';
import type { Listings } from './pull.js';
import type { RunContext } from './run-context.js';

/** What a full run found: per type, the remote's records (its census) against the links. */
export interface Consistency {
  at: string;
  run_id: string;
  types: Partial<Record<SyncedType, TypeConsistency>>;
}

export interface TypeConsistency {
  /** Remote records the run's listing found (its census). */
  listed_remote: number;
  /** Remote records the run created after listing. */
  created_remote: number;
  /** Links when the run ended. */
  linked: number;
  /** Listed remote records no link pairs: pm could not take them in. */
  unlinked_remote: number;
  /** Links whose remote record was neither listed nor created by the run. */
  links_missing_remote: number;
}

const consistencyKey = (connection: string) => `sync:${connection}:consistency`;

/**
 * Kept after a full run: remote records no link pairs (pm could not take them in) and links
 * whose remote record the census did not list (records this run created came after it).
 */
export async function recordConsistency(ctx: RunContext, listings: Listings): Promise<void> {
  const types: Consistency['types'] = {};
  for (const [type, listing] of listings) {
    if (!listing.full || !listing.census) continue;
    const census = listing.census;
    const links = await ctx.links.all(type);
    const unlinked = [...census].filter((id) => !ctx.links.remote(type, id)).length;
    const created = links.filter((l) => !census.has(l.remote_id) && ctx.created.has(`${type}:${l.local_id}`)).length;
    const missing = links.filter((l) => !census.has(l.remote_id) && !ctx.created.has(`${type}:${l.local_id}`)).length;
    types[type] = {
      listed_remote: census.size,
      created_remote: created,
      linked: links.length,
      unlinked_remote: unlinked,
      links_missing_remote: missing,
    };
  }
  const value: Consistency = { at: new Date(ctx.env.clock()).toISOString(), run_id: ctx.env.run.id, types };
  await ctx.env.store.write((tx) => tx.setMeta(consistencyKey(ctx.name), JSON.stringify(value)));
}

export interface HealthCheck {
  name: 'last_sync' | 'error_rate' | 'data_consistency';
  connection: string;
  healthy: boolean;
  severity: 'ok' | 'warning' | 'critical';
  message: string;
  details: Record<string, unknown>;
}

export interface SyncHealth {
  status: 'healthy' | 'degraded' | 'critical';
  checks: HealthCheck[];
}

/** Failed records over this share of a day's records is a warning, over the second a critical. */
const ERROR_RATE = { warning: 0.05, critical: 0.25 };
/** Records out of step (as the seed tolerates them): fewer than the first is healthy, more than the second critical. */
const OUT_OF_STEP = { warning: 10, critical: 100 };
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The seed's sync checks, per connection that has runs: how its last run ended, the share of
 * failed records in the last day's runs, and its last full run's census against its links.
 */
export async function syncHealth(store: Store, runs: readonly SyncRun[], now: number): Promise<SyncHealth> {
  const checks: HealthCheck[] = [];
  const connections = [...new Set(runs.map((r) => r.connection))].sort();
  for (const connection of connections) {
    const mine = runs.filter((r) => r.connection === connection && !r.dry_run);
    checks.push(lastSync(connection, mine), errorRate(connection, mine, now));
    checks.push(consistency(connection, await store.getMeta(consistencyKey(connection))));
  }
  const status = checks.every((c) => c.healthy)
    ? 'healthy'
    : checks.some((c) => c.severity === 'critical')
      ? 'critical'
      : 'degraded';
  return { status, checks };
}

function check(
  name: HealthCheck['name'],
  connection: string,
  severity: HealthCheck['severity'],
  message: string,
  details: Record<string, unknown>,
): HealthCheck {
  return { name, connection, healthy: severity === 'ok', severity, message, details };
}

function lastSync(connection: string, runs: readonly SyncRun[]): HealthCheck {
  const last = runs.find((r) => (FINISHED_RUN_STATUSES as readonly string[]).includes(r.status));
  const success = runs.find((r) => r.status === 'completed');
  const details = {
    last_run: last?.id ?? null,
    last_status: last?.status ?? null,
    last_success_at: success?.finished_at ?? null,
  };
  if (!last) return check('last_sync', connection, 'warning', 'no run has finished yet', details);
  if (last.status === 'completed')
    return check('last_sync', connection, 'ok', `last run completed at ${last.finished_at}`, details);
  const severity = last.status === 'failed' ? 'critical' : 'warning';
  return check('last_sync', connection, severity, `last run ${last.status.replace(/_/g, ' ')}`, details);
}

function errorRate(connection: string, runs: readonly SyncRun[], now: number): HealthCheck {
  let failed = 0;
  let total = 0;
  for (const run of runs) {
    if (Date.parse(run.created_at) < now - DAY_MS) continue;
    const totals = runTotals(run.counters);
    failed += totals.records_failed;
    total += totals.total_records;
  }
  const rate = total === 0 ? 0 : failed / total;
  const severity = rate > ERROR_RATE.critical ? 'critical' : rate > ERROR_RATE.warning ? 'warning' : 'ok';
  const message = `${failed} of ${total} records failed in the last 24 hours`;
  return check('error_rate', connection, severity, message, { failed, total, rate: Math.round(rate * 10_000) / 10_000 });
}

function consistency(connection: string, saved: string | undefined): HealthCheck {
  if (!saved) return check('data_consistency', connection, 'ok', 'no full run yet: nothing to compare', {});
  const found = JSON.parse(saved) as Consistency;
  const diff = Object.values(found.types).reduce((n, t) => n + t.unlinked_remote + t.links_missing_remote, 0);
  const severity = diff > OUT_OF_STEP.critical ? 'critical' : diff >= OUT_OF_STEP.warning ? 'warning' : 'ok';
  return check('data_consistency', connection, severity, `${diff} records out of step at the last full run (${found.at})`, {
    ...found,
    out_of_step: diff,
  });
}
