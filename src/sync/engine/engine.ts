import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import {
  FINISHED_RUN_STATUSES,
  NotFoundError,
  RateLimitedError,
  RUN_DIRECTIONS,
  RUN_MODES,
  StateError,
  ValidationError,
  isOneOf,
  isPmError,
  newId,
  runTotals,
  type RunDirection,
  type RunFilters,
  type RunMode,
  type RunStatus,
  type SyncRun,
  type SyncRunItem,
} from '../../domain/index.js';
import type { FailureQuery, RunQuery, Store } from '../../store/index.js';
import { lanesOf } from '../../tracker/index.js';
import {
  CONNECTORS,
  DEFAULT_RETRY,
  SYNCED_TYPES,
  definitionOf,
  parseConnection,
  type AnyConnectorDefinition,
  type ConnectionSettings,
  type RawConnection,
  type RetryPolicy,
} from '../connectors/index.js';
import { RunEvents } from './events.js';
import { markNotSynced } from './not-synced.js';
import { syncHealth, type SyncHealth } from './health.js';
import { RunRecorder, recordAudit, type Requester } from './history.js';
import { RateLimiter, SharedRateLimiter, type Limiter } from './limiter.js';
import { LocalChanges, type RunEnvironment } from './run-context.js';
import { executeRun, syncedProject } from './runner.js';
import { ScaleOut, type ScaleOutOptions } from './scale-out.js';

export interface RunRequest {
  /** The connection's name; optional when there is one. */
  connection?: string;
  mode?: RunMode;
  direction?: RunDirection;
  dry_run?: boolean;
  /**
   * Make the remote equal to pm: a full push in which remote records pm does not have are deleted
   * first and pm wins every field (nothing is pulled). Destructive: callers confirm it first.
   */
  overwrite?: boolean;
  filters?: RunFilters;
  /** The same key (per connection) gives back the run it first made, not a second run. */
  idempotency_key?: string;
  retry_of?: string;
}

export interface EngineOptions {
  store: Store;
  /** A connection by name (the only one when no name is given), as configured; throws when unknown. */
  connections: (name?: string) => RawConnection;
  /** The kinds of tracker it knows (default: every connector pm has). */
  definitions?: readonly AnyConnectorDefinition[];
  clock?: () => number;
  retry?: RetryPolicy;
  /** Where problems that must not fail a run go (a failure to write history). */
  log?: (message: string) => void;
  /** How often a running run proves it is alive and looks for a cancel request. */
  heartbeatMs?: number;
  /**
   * Scale-out (PostgreSQL): runs are split into batches that every process sharing the database
   * and working batches pushes (pm serve with scale-out, pm worker), under each connection's rate
   * limit held by all of them together. Without it a run, and its rate limit, is one process's.
   */
  scaleOut?: ScaleOutOptions;
}

export interface RunDetail {
  run: SyncRun;
  items: SyncRunItem[];
}

export interface SyncMetrics {
  runs: Record<RunStatus, number>;
  items: { done: number; failed: number; planned: number };
  open_failures: number;
  /** Same-field conflicts the runs decided, and those nobody has resolved (pm conflicts). */
  conflicts: { decided: number; unresolved: number };
  /** Records looked at (done, failed, unchanged, skipped) per minute of finished runs, and per record. */
  throughput: { records: number; duration_ms: number; records_per_minute: number | null; average_record_ms: number | null };
  connections: Record<string, { last_run: SyncRun | null; last_success_at: string | null; average_duration_ms: number | null }>;
}

/** Failures to retry: one (`itemId`: refused unless it is a failure), these, or every open one of a connection. */
export interface EngineRetryTarget {
  itemId?: string;
  itemIds?: readonly string[];
  connection?: string;
  entity?: string;
}

/** A run whose process has not been heard of for this long is taken for dead. */
const STALE_MS = 60_000;

/**
 * How many engines of this process execute each run (tests and embedders may hold several): a
 * run owned by this pid that none executes is an earlier process's, reusing the pid.
 */
const runningInProcess = new Map<string, number>();

function countRunning(runId: string, by: 1 | -1): void {
  const count = (runningInProcess.get(runId) ?? 0) + by;
  if (count > 0) runningInProcess.set(runId, count);
  else runningInProcess.delete(runId);
}

/**
 * The sync engine: runs as records in the database (requested, run, finished, retried) and
 * their events. A run is executed by the process that asks for it (the CLI in-process, or the
 * server in the background); a run whose process died is failed by the next engine to look.
 */
export class SyncEngine {
  readonly events = new RunEvents();
  private readonly owner = `${process.pid}@${hostname()}`;
  private readonly cancels = new Set<string>();
  /** Per run of this process: aborting it ends the run's remote requests and waits at once. */
  private readonly aborts = new Map<string, AbortController>();
  private readonly running = new Map<string, Promise<SyncRun>>();
  private readonly recorders = new Map<string, RunRecorder>();
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private readonly scaleOut: ScaleOut | undefined;
  /** Scale-out: per connection, its limit as every process on the database holds it. */
  private readonly sharedLimiters = new Map<string, SharedRateLimiter>();
  private stopping = false;
  private working: Promise<void> | undefined;

  constructor(private readonly options: EngineOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((message) => process.stderr.write(`pm: ${message}\n`));
    if (options.scaleOut) {
      this.scaleOut = new ScaleOut(
        {
          store: options.store,
          // Each engine its own: two in one process are two workers.
          owner: `${this.owner}/${newId().slice(-8)}`,
          log: this.log,
          clock: this.clock,
          emit: (event) => this.events.emit(event),
          environment: (run, recorder, more) => this.environment(run, recorder, more),
          cancelled: (runId) => this.cancels.has(runId) || this.stopping,
        },
        options.scaleOut,
      );
    }
  }

  private get repo() {
    return this.options.store.sync;
  }

  private iso(): string {
    return new Date(this.clock()).toISOString();
  }

  /** Records a run as queued, or finds the run an idempotency key already made. */
  async request(input: RunRequest, requester: Requester): Promise<{ run: SyncRun; created: boolean }> {
    await this.recover();
    const connection = this.connection(input.connection);
    const overwrite = input.overwrite ?? false;
    if (overwrite) overwriteAllowed(input);
    const mode = input.mode ?? (overwrite ? 'full' : 'incremental');
    const direction = input.direction ?? (overwrite ? 'push' : 'both');
    if (!isOneOf(RUN_MODES, mode))
      throw new ValidationError([{ path: 'mode', message: `expected one of ${RUN_MODES.join(', ')}` }]);
    if (!isOneOf(RUN_DIRECTIONS, direction))
      throw new ValidationError([{ path: 'direction', message: `expected one of ${RUN_DIRECTIONS.join(', ')}` }]);
    const { entity_types: types, ...filters } = input.filters ?? {};
    const unknown = types?.filter((t) => !isOneOf(SYNCED_TYPES, t)) ?? [];
    if (unknown.length > 0)
      throw new ValidationError([{ path: 'entity', message: `pm syncs ${SYNCED_TYPES.join(', ')}; not ${unknown.join(', ')}` }]);
    const key = input.idempotency_key?.trim() || null;
    if (key) {
      const existing = await this.repo.runByIdempotencyKey(connection.name, key);
      if (existing) return { run: existing, created: false };
    }
    const run: SyncRun = {
      id: newId(),
      connection: connection.name,
      mode,
      direction,
      dry_run: input.dry_run ?? false,
      overwrite_mode: overwrite,
      deletion_count: 0,
      filters: { ...filters, ...(types?.length ? { entity_types: types } : {}) },
      idempotency_key: key,
      retry_of: input.retry_of ?? null,
      status: 'queued',
      requested_by: requester.actor,
      created_at: this.iso(),
      started_at: null,
      finished_at: null,
      duration_ms: null,
      error: null,
      counters: {},
      owner: this.owner,
      heartbeat_at: this.iso(),
      cancel_requested_at: null,
    };
    try {
      await this.repo.insertRun(run);
    } catch (error) {
      // Two requests with one key at once: the unique index let one through.
      const existing = key ? await this.repo.runByIdempotencyKey(connection.name, key) : undefined;
      if (existing) return { run: existing, created: false };
      throw error;
    }
    await this.audit('sync_requested', requester, run.id, run.created_at, {
      connection: run.connection,
      mode,
      direction,
      dry_run: run.dry_run,
      overwrite_mode: run.overwrite_mode,
      filters: run.filters,
    });
    return { run, created: true };
  }

  /** Runs a queued run to its end (or returns the run if another process took it). */
  execute(runId: string, requester: Requester): Promise<SyncRun> {
    let running = this.running.get(runId);
    if (!running) {
      countRunning(runId, 1);
      running = this.executeOnce(runId, requester).finally(() => {
        this.running.delete(runId);
        countRunning(runId, -1);
      });
      this.running.set(runId, running);
    }
    return running;
  }

  private async executeOnce(runId: string, requester: Requester): Promise<SyncRun> {
    const started = this.iso();
    if (!(await this.repo.claimRun(runId, this.owner, started))) return this.requireRun(runId);
    const run = await this.requireRun(runId);
    const recorder = new RunRecorder(this.repo, run, (e) => this.events.emit(e), this.log, this.clock);
    this.recorders.set(run.id, recorder);
    const abort = new AbortController();
    this.aborts.set(run.id, abort);
    this.events.emit({ type: 'run_started', run });
    await recorder.audit('sync_started', requester, {
      connection: run.connection,
      mode: run.mode,
      direction: run.direction,
      dry_run: run.dry_run,
      overwrite_mode: run.overwrite_mode,
    });
    const heartbeat = setInterval(() => void this.beat(run, recorder), this.options.heartbeatMs ?? 1000);
    heartbeat.unref();
    let status: RunStatus;
    let error: string | null = null;
    try {
      const result = this.scaleOut?.splits(run)
        ? await this.scaleOut.coordinate(run, recorder)
        : await executeRun(await this.environment(run, recorder));
      status = this.cancels.has(run.id) ? 'cancelled' : recorder.failed > 0 ? 'completed_with_errors' : 'completed';
      if (status === 'completed' && !run.dry_run) {
        for (const [type, cursor] of result.cursors) await this.repo.setCursor(run.connection, type, cursor, this.iso());
        if (result.localCursor) await this.repo.setCursor(run.connection, LocalChanges.entity, result.localCursor, this.iso());
      }
    } catch (failure) {
      // A cancelled run ends with whatever its aborted request threw: it was cancelled, not failed.
      status = this.cancels.has(run.id) ? 'cancelled' : 'failed';
      if (status === 'failed') error = isPmError(failure) ? failure.message : `unexpected: ${(failure as Error).message}`;
    } finally {
      clearInterval(heartbeat);
      this.cancels.delete(run.id);
      this.aborts.delete(run.id);
    }
    await recorder.flush();
    if (!run.dry_run)
      await this.repo
        .supersedeFailures(run.connection, run.id, this.iso())
        .catch((e: Error) => this.log(`sync history: ${e.message}`));
    const finished = this.iso();
    const patch: Partial<SyncRun> = {
      status,
      error,
      finished_at: finished,
      duration_ms: Date.parse(finished) - Date.parse(started),
      counters: recorder.counters,
      deletion_count: recorder.deletions,
      heartbeat_at: finished,
    };
    await recorder.updateRun(patch);
    const final = { ...run, ...patch };
    const action = status === 'failed' ? 'sync_failed' : status === 'cancelled' ? 'sync_cancelled' : 'sync_completed';
    await recorder.audit(action, requester, {
      status,
      done: recorder.done,
      failed: recorder.failed,
      counters: recorder.counters,
      ...(run.overwrite_mode ? { overwrite_mode: true, deletion_count: recorder.deletions } : {}),
      error,
    });
    this.recorders.delete(run.id);
    this.events.emit({ type: 'run_finished', run: final });
    return final;
  }

  /** The items of a run this process is running, as recorded so far (history is written in batches). */
  liveItems(runId: string): SyncRunItem[] | undefined {
    return this.recorders.get(runId)?.items.slice();
  }

  /** Asks every run of this process to stop and waits for them (a server shutting down). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const id of this.running.keys()) this.stopRun(id);
    await Promise.allSettled([...this.running.values(), this.working]);
  }

  /** A run of this process stops: at its next record, and its remote requests and waits at once. */
  private stopRun(runId: string): void {
    this.cancels.add(runId);
    this.aborts.get(runId)?.abort();
  }

  /** Scale-out: pushes batches of every process's runs until `stop()` (pm worker, pm serve with scale-out). */
  work(): Promise<void> {
    if (!this.scaleOut) throw new Error('sync: work() needs an engine with scaleOut');
    const scaleOut = this.scaleOut;
    return (this.working ??= scaleOut.work(() => this.stopping));
  }

  /** What executing a run needs: the connection's connector, the synced project, the run's hooks. */
  private async environment(run: SyncRun, recorder: RunRecorder, more: Partial<RunEnvironment> = {}): Promise<RunEnvironment> {
    // Cancel aborts the requests of a run this process started (batches of others' runs end at their lease).
    const signal = this.aborts.get(run.id)?.signal;
    const { store } = this.options;
    const connection = this.connection(run.connection);
    const project = await syncedProject(store, connection);
    const lanes = await lanesOf(store, project.id);
    const limiter = this.limiter(connection);
    const retry = {
      ...(this.options.retry ?? DEFAULT_RETRY),
      onWait: (ms: number, error: unknown) => this.waiting(run, ms, error),
      signal,
    };
    // A batch of a run this process already prepared a connector for brings it (scale-out).
    const connector = more.connector ?? (await this.prepare(connection, lanes, limiter, retry, signal));
    return {
      store,
      connector,
      connection,
      projectId: project.id,
      firstStatus: lanes[0]?.status_value ?? 'backlog',
      mappingKey: mappingKey(
        connection,
        project.id,
        lanes.map((l) => l.status_value),
      ),
      run,
      recorder,
      retry,
      clock: this.clock,
      cancelled: () => this.cancels.has(run.id),
      emit: (event) => this.events.emit(event),
      log: this.log,
      ...more,
    };
  }

  private async prepare(
    connection: ConnectionSettings<object>,
    lanes: readonly { status_value: string }[],
    limiter: Limiter,
    retry: RunEnvironment['retry'],
    signal: AbortSignal | undefined,
  ): Promise<RunEnvironment['connector']> {
    const connector = await this.definition(connection.kind).create({
      ...connection,
      localStatuses: lanes.map((l) => l.status_value),
      beforeRequest: () => limiter.acquire(),
      retry,
      signal,
    });
    await connector.prepare();
    return connector;
  }

  /**
   * A run's rate limiter. With scale-out, the connection's: its limit holds across every process
   * that pushes its batches, through the database. Without, the run's own, in this process.
   */
  private limiter(connection: ConnectionSettings<object>): Limiter {
    if (!this.scaleOut) return new RateLimiter(connection.ratePerSecond);
    const { name, ratePerSecond } = connection;
    let limiter = this.sharedLimiters.get(name);
    if (limiter?.perSecond !== ratePerSecond) {
      limiter = new SharedRateLimiter(ratePerSecond, (r) => this.options.store.reserveRequest(name, r), this.clock);
      this.sharedLimiters.set(name, limiter);
    }
    return limiter;
  }

  private definition(kind: string): AnyConnectorDefinition {
    return definitionOf(kind, this.options.definitions ?? CONNECTORS);
  }

  /** A connection's settings, checked against its kind's. */
  private connection(name?: string): ConnectionSettings<object> {
    const raw = this.options.connections(name);
    return parseConnection(this.definition(raw.kind), raw);
  }

  private waiting(run: SyncRun, delayMs: number, error: unknown): void {
    const limited = error instanceof RateLimitedError;
    this.events.emit({
      type: 'waiting',
      run_id: run.id,
      reason: limited ? 'rate_limited' : 'retry',
      delay_ms: Math.round(delayMs),
      until: new Date(this.clock() + delayMs).toISOString(),
      message: isPmError(error) ? error.message : String((error as Error).message),
    });
  }

  private async beat(run: SyncRun, recorder: RunRecorder): Promise<void> {
    try {
      await this.repo.updateRun(run.id, {
        heartbeat_at: this.iso(),
        counters: recorder.counters,
        deletion_count: recorder.deletions,
      });
      const current = await this.repo.getRun(run.id);
      if (current?.cancel_requested_at) this.stopRun(run.id);
    } catch (error) {
      this.log(`sync: heartbeat of run ${run.id}: ${(error as Error).message}`);
    }
  }

  /**
   * Stops a run: a queued one at once, a running one at its next record (in whatever process
   * runs it); in this process its remote requests in flight and its waits end at once.
   */
  async cancel(runId: string, requester: Requester): Promise<SyncRun> {
    const run = await this.requireRun(runId);
    if ((FINISHED_RUN_STATUSES as readonly string[]).includes(run.status)) {
      throw new StateError('run_finished', `run ${run.id} has already finished (${run.status})`);
    }
    const at = this.iso();
    if (run.status === 'queued')
      await this.repo.updateRun(run.id, { status: 'cancelled', finished_at: at, duration_ms: 0, cancel_requested_at: at });
    else {
      await this.repo.updateRun(run.id, { cancel_requested_at: at });
      if (this.running.has(run.id)) this.stopRun(run.id);
    }
    await this.audit('sync_cancel_requested', requester, run.id, at, {});
    return this.requireRun(run.id);
  }

  /**
   * Fails runs whose process is gone (killed, crashed, machine restarted): a run is never left
   * "running" for ever. What they did is kept; the next run picks up from the links.
   */
  async recover(): Promise<SyncRun[]> {
    const failed: SyncRun[] = [];
    const now = this.clock();
    for (const run of await this.repo.activeRuns()) {
      if (runningInProcess.has(run.id)) continue;
      const [pid, host] = (run.owner ?? '').split('@');
      const sameHost = host === hostname();
      const mine = sameHost && Number(pid) === process.pid;
      if (mine && run.status === 'queued') continue; // requested here, about to run
      const alive =
        sameHost && !mine
          ? processAlive(Number(pid))
          : !sameHost && now - Date.parse(run.heartbeat_at ?? run.created_at) < STALE_MS;
      if (alive) continue;
      const at = this.iso();
      const error = `interrupted: the process running it (${run.owner ?? 'unknown'}) stopped before it finished; what it did is kept, and the next run goes on from there`;
      await this.repo.updateRun(run.id, {
        status: 'failed',
        error,
        finished_at: at,
        duration_ms: run.started_at ? Date.parse(at) - Date.parse(run.started_at) : 0,
      });
      await recordAudit(this.repo, this.log, {
        action: 'sync_failed',
        actor: 'pm',
        entity_type: 'sync_run',
        entity_id: run.id,
        at,
        details: { error },
      });
      if (this.scaleOut) await this.options.store.batches.abandon(run.id, error);
      failed.push({ ...run, status: 'failed', error, finished_at: at });
    }
    return failed;
  }

  /**
   * A new run for failed items (one, or every open failure of a connection): it reads and
   * writes exactly those records again. The failures it takes on leave the failures list.
   */
  async retry(target: EngineRetryTarget, requester: Requester): Promise<SyncRun | undefined> {
    let failures: (SyncRunItem & { connection: string })[];
    if (target.itemId) {
      const item = await this.repo.getRunItem(target.itemId);
      if (!item) throw new NotFoundError('sync failure', target.itemId);
      if (item.status !== 'failed')
        throw new StateError('not_failed', `item ${item.id} is ${item.status}, not failed: nothing to retry`);
      const run = await this.requireRun(item.run_id);
      failures = [{ ...item, connection: run.connection }];
    } else {
      // Named failures may belong to any connection; otherwise the only one (or the one given).
      const connection = target.connection ?? (target.itemIds ? undefined : this.options.connections().name);
      failures = (
        await this.repo.failures({
          ...(connection ? { connection } : {}),
          ...(target.entity ? { entity: target.entity } : {}),
          ...(target.itemIds ? { ids: target.itemIds } : {}),
          limit: 100_000,
        })
      ).items;
    }
    if (failures.length === 0) return undefined;
    const connection = failures[0]!.connection;
    const others = [...new Set(failures.map((f) => f.connection))].filter((c) => c !== connection);
    if (others.length > 0)
      throw new ValidationError([
        {
          path: 'record_ids',
          message: `these failures are of connections ${[connection, ...others].join(', ')}: retry them one connection at a time`,
        },
      ]);
    const ids = [...new Set(failures.map((f) => f.local_id ?? `${f.entity_type}:${f.remote_id}`))];
    const directions = new Set(failures.map((f) => f.direction));
    const { run } = await this.request(
      {
        connection,
        mode: 'full',
        direction: directions.size === 1 ? [...directions][0]! : 'both',
        filters: { ids },
        retry_of: failures[0]!.run_id,
      },
      requester,
    );
    await this.repo.markRetried(
      failures.map((f) => f.id),
      run.id,
      this.iso(),
    );
    return run;
  }

  /**
   * Marks a push failure not to sync: the remote refuses the record (Redmine refuses a subtask
   * blocking its parent), so later runs leave it alone instead of failing on it every time.
   */
  async markNotSynced(itemId: string, requester: Requester): Promise<SyncRunItem> {
    const item = await this.repo.getRunItem(itemId);
    if (!item) throw new NotFoundError('sync failure', itemId);
    if (item.status !== 'failed')
      throw new StateError('not_failed', `item ${item.id} is ${item.status}, not failed: nothing to mark`);
    if (item.direction !== 'push' || !item.local_id)
      throw new StateError('not_failed', `item ${item.id} failed pulling a remote record: only pushes can be marked not synced`);
    const run = await this.requireRun(item.run_id);
    await markNotSynced(this.options.store, run.connection, `${item.entity_type}:${item.local_id}`);
    const at = this.iso();
    await this.repo.updateRunItem(item.id, { status: 'not_synced', updated_at: at });
    await this.audit('sync_not_synced', requester, run.id, at, {
      item: item.id,
      entity_type: item.entity_type,
      local_id: item.local_id,
    });
    return { ...item, status: 'not_synced', updated_at: at };
  }

  /**
   * Undoes `markNotSynced`: the record syncs again, and its item is an open failure again until
   * a run settles it (the next run tries the record).
   */
  async markSynced(itemId: string, requester: Requester): Promise<SyncRunItem> {
    const item = await this.repo.getRunItem(itemId);
    if (!item) throw new NotFoundError('sync failure', itemId);
    if (item.status !== 'not_synced' || !item.local_id)
      throw new StateError('not_ignored', `item ${item.id} is ${item.status}, not marked not synced: nothing to undo`);
    const run = await this.requireRun(item.run_id);
    await markNotSynced(this.options.store, run.connection, `${item.entity_type}:${item.local_id}`, true);
    const at = this.iso();
    // The runs that skipped it moved the local cursor past it: the next push reads every record again.
    await this.repo.setCursor(run.connection, LocalChanges.entity, '', at);
    await this.repo.updateRunItem(item.id, { status: 'failed', updated_at: at });
    await this.audit('sync_synced_again', requester, run.id, at, {
      item: item.id,
      entity_type: item.entity_type,
      local_id: item.local_id,
    });
    return { ...item, status: 'failed', updated_at: at };
  }

  async getRun(runId: string): Promise<RunDetail> {
    await this.recover();
    const run = await this.requireRun(runId);
    return { run, items: await this.repo.runItems(run.id) };
  }

  async listRuns(query: RunQuery = {}) {
    await this.recover();
    return this.repo.listRuns(query);
  }

  failures(query: FailureQuery = {}) {
    return this.repo.failures(query);
  }

  async metrics(): Promise<SyncMetrics> {
    const { runs } = await this.repo.listRuns({ limit: 1000 });
    const byStatus = Object.fromEntries(
      ['queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled'].map((s) => [s, 0]),
    ) as Record<RunStatus, number>;
    const items = { done: 0, failed: 0, planned: 0 };
    const connections: SyncMetrics['connections'] = {};
    let decided = 0;
    const throughput = { records: 0, duration_ms: 0 };
    for (const run of runs) {
      byStatus[run.status]++;
      const totals = runTotals(run.counters);
      items.failed += totals.records_failed;
      items[run.dry_run ? 'planned' : 'done'] += totals.records_completed;
      // Overwrite deletions are counted under delete too.
      const looked = Object.values(run.counters).flatMap((c) => Object.values({ ...c, overwrite_deleted: 0 }));
      decided += Object.values(run.counters).reduce((n, c) => n + (c.conflict ?? 0), 0);
      if (run.finished_at && run.duration_ms) {
        throughput.records += looked.reduce((a, b) => a + b, 0);
        throughput.duration_ms += run.duration_ms;
      }
      const c = (connections[run.connection] ??= { last_run: run, last_success_at: null, average_duration_ms: null });
      if (run.status === 'completed' && c.last_success_at === null) c.last_success_at = run.finished_at;
    }
    for (const [name, c] of Object.entries(connections)) {
      const durations = runs
        .filter((r) => r.connection === name && r.duration_ms !== null && r.status !== 'cancelled')
        .map((r) => r.duration_ms!);
      c.average_duration_ms = durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null;
    }
    return {
      runs: byStatus,
      items,
      open_failures: (await this.repo.failures({ limit: 1 })).total,
      conflicts: { decided, unresolved: await this.options.store.count('conflicts', { where: { resolution: null } }) },
      throughput: {
        ...throughput,
        records_per_minute: throughput.duration_ms ? Math.round((throughput.records * 60_000) / throughput.duration_ms) : null,
        average_record_ms:
          throughput.records && throughput.duration_ms
            ? Math.round((throughput.duration_ms / throughput.records) * 100) / 100
            : null,
      },
      connections,
    };
  }

  /** The seed's sync health checks over the last 1,000 runs: see `syncHealth`. */
  async health(): Promise<SyncHealth> {
    await this.recover();
    const { runs } = await this.repo.listRuns({ limit: 1000 });
    return syncHealth(this.options.store, runs, this.clock());
  }

  private audit(
    action: string,
    requester: Requester,
    runId: string,
    at: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return recordAudit(this.repo, this.log, {
      action,
      actor: requester.actor,
      source_ip: requester.source_ip ?? null,
      user_agent: requester.user_agent ?? null,
      entity_type: 'sync_run',
      entity_id: runId,
      at,
      details,
    });
  }

  private async requireRun(runId: string): Promise<SyncRun> {
    const run = await this.repo.getRun(runId);
    if (!run) throw new NotFoundError('sync run', runId);
    return run;
  }
}

/** An overwrite run pushes the whole project: a pull, an incremental run or a filter on records contradicts it. */
function overwriteAllowed(input: RunRequest): void {
  const problems: { path: string; message: string }[] = [];
  if (input.direction !== undefined && input.direction !== 'push')
    problems.push({ path: 'direction', message: 'an overwrite run only pushes (pm wins): leave direction out, or push' });
  if (input.mode !== undefined && input.mode !== 'full')
    problems.push({ path: 'mode', message: 'an overwrite run looks at every record: leave mode out, or full' });
  const { entity_types: _types, ...narrowing } = input.filters ?? {};
  for (const key of Object.keys(narrowing).filter((k) => narrowing[k as keyof typeof narrowing] !== undefined))
    problems.push({
      path: `filters.${key}`,
      message: 'an overwrite run makes the whole remote project equal to pm: it takes no ids, status or since filter',
    });
  if (problems.length > 0) throw new ValidationError(problems);
}

/** A digest of what decides how local records look remotely (no secrets: the key is left out). */
function mappingKey(connection: ConnectionSettings<object>, projectId: string, localStatuses: readonly string[]): string {
  const { kind, url, project, options } = connection;
  // An empty map is left out, as it was before maps had defaults: the digests of existing links stay.
  const mapType = Object.keys(connection.mapType).length > 0 ? connection.mapType : undefined;
  const mapStatus = Object.keys(connection.mapStatus).length > 0 ? connection.mapStatus : undefined;
  const basis = JSON.stringify({ kind, url, project, mapType, mapStatus, ...options, projectId, localStatuses });
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
