import { setTimeout as sleep } from 'node:timers/promises';
import { StateError, isPmError, newId, type SyncRun, type SyncRunItem } from '../../domain/index.js';
import type { Store, SyncBatch } from '../../store/index.js';
import type { RunEvent } from './events.js';
import { RunRecorder } from './history.js';
import { LocalScope } from './local-scope.js';
import { syncedTypes } from './resources.js';
import { LocalChanges, type RunEnvironment } from './run-context.js';
import { executeRun, type RunResult } from './runner.js';

export interface ScaleOutOptions {
  /** Local records per batch. */
  batchSize?: number;
  /** How long a batch stays claimed without its holder renewing the claim (a third of it apart). */
  leaseMs?: number;
  /** How often an idle worker looks for a batch. */
  pollMs?: number;
  /** Whether the process that splits a run pushes batches too (default true); false leaves them to workers. */
  works?: boolean;
}

/** What the engine lends the batches: how to build a run's environment, and whether a run is cancelled here. */
export interface ScaleOutHost {
  store: Store;
  owner: string;
  log: (message: string) => void;
  clock: () => number;
  emit: (event: RunEvent) => void;
  environment(run: SyncRun, recorder: RunRecorder, more?: Partial<RunEnvironment>): Promise<RunEnvironment>;
  cancelled(runId: string): boolean;
}

export const DEFAULT_SCALE_OUT = { batchSize: 25, leaseMs: 30_000, pollMs: 250 } as const;
/** A batch claimed this many times without finishing is given up (its records are left for the next run). */
export const MAX_BATCH_ATTEMPTS = 5;
/** Item numbers of a batch start at (seq + 1) × this, so a run's items keep the order of its batches. */
const SEQ_SPAN = 100_000;
/** Tombstones go last, children before parents: a parent's deletion would take its remote children along. */
const DELETION_WAVES = 1_000_000;

const markerOf = (connection: string) => `sync:${connection}:creates_since`;
const batchMarkerOf = (connection: string, batchId: string) => `${markerOf(connection)}:${batchId}`;

/**
 * Scale-out: a run's push split into batches of local records that any process on the same
 * PostgreSQL claims from `sync_batches` (pm serve with scale-out, pm worker). Delivery is at
 * least once, made safe twice over: a batch marks that it creates before it does, so the next
 * claim of it looks its records up by pm id on the remote instead of creating them again; and
 * each claim is fenced, so an earlier holder's late writes (links, items, the batch's end) are
 * refused once another holds it.
 */
export class ScaleOut {
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly works: boolean;
  /**
   * The connector of the run whose batch this process pushed last, prepared once for the run
   * as an unsplit run's is, not once per batch: a prepare is several requests (Redmine: seven
   * look-ups, as many as a batch of ten makes creates).
   */
  private prepared: { runId: string; connector: RunEnvironment['connector'] } | undefined;

  constructor(
    private readonly host: ScaleOutHost,
    options: ScaleOutOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_SCALE_OUT.batchSize;
    this.leaseMs = options.leaseMs ?? DEFAULT_SCALE_OUT.leaseMs;
    this.pollMs = options.pollMs ?? DEFAULT_SCALE_OUT.pollMs;
    this.works = options.works ?? true;
  }

  /** Whether a run is split: runs that look at every record and write (targeted and dry runs stay whole). */
  splits(run: SyncRun): boolean {
    // An overwrite run deletes before it pushes, in one process.
    return !run.dry_run && !run.overwrite_mode && Object.keys(run.filters).length === 0;
  }

  /**
   * Runs a run split: its pull here, then its push as batches worked by every process that
   * works batches (this one too), wave after wave; sums what the batches did into `recorder`.
   */
  async coordinate(run: SyncRun, recorder: RunRecorder): Promise<RunResult> {
    const { store } = this.host;
    const changeSeq = await store.changeSeq();
    let cursors: RunResult['cursors'] = new Map();
    if (run.direction !== 'push') {
      const pulled = await executeRun(await this.host.environment({ ...run, direction: 'pull' }, recorder));
      cursors = pulled.cursors;
    }
    const env = await this.host.environment(run, recorder);
    if (run.direction === 'pull' || this.host.cancelled(run.id)) return { cursors, localCursor: undefined };

    const batches = await this.plan(run, env);
    const marker = await store.getMeta(markerOf(run.connection));
    await store.write(async (tx) => {
      // Creates an earlier run may have left unlinked are looked for by every batch.
      if (marker) for (const b of batches) await tx.setMeta(batchMarkerOf(run.connection, b.id), marker);
      await tx.batches.enqueue(batches);
    });
    const finished = await this.until(run, batches.length);
    let failed = 0;
    const unchanged = new Map<string, number>();
    for (const batch of finished) {
      if (batch.result) {
        for (const [type, counts] of Object.entries(batch.result.counters))
          for (const [what, n] of Object.entries(counts)) {
            if (what === 'unchanged') unchanged.set(type, (unchanged.get(type) ?? 0) + n);
            else recorder.count(type, what as never, n);
          }
        recorder.done += batch.result.done;
        recorder.failed += batch.result.failed;
        failed += batch.result.failed;
      } else {
        this.host.log(`sync: run ${run.id}: batch ${batch.id} gave up: ${batch.error ?? 'unknown'}`);
        recorder.failed += batch.ids.length;
        failed += batch.ids.length;
      }
    }
    // The pull counted the records it read unchanged; the batches count the same records again.
    for (const [type, n] of unchanged)
      recorder.count(type, 'unchanged', Math.max(0, n - (recorder.counters[type]?.unchanged ?? 0)));
    const pushedAll = finished.length === batches.length && failed === 0 && !this.host.cancelled(run.id);
    if (pushedAll && marker) await store.write((tx) => tx.setMeta(markerOf(run.connection), ''));
    return { cursors, localCursor: pushedAll ? LocalChanges.cursor(changeSeq, env.mappingKey) : undefined };
  }

  /** The run's local records in batches: by type in reference order, work items by depth (parents first). */
  private async plan(run: SyncRun, env: RunEnvironment): Promise<SyncBatch[]> {
    const scope = await LocalScope.load(this.host.store, env.projectId);
    const waves = new Map<number, string[]>();
    const add = (wave: number, id: string) => {
      const ids = waves.get(wave);
      if (ids) ids.push(id);
      else waves.set(wave, [id]);
    };
    syncedTypes(env.connector).forEach((type, index) => {
      for (const record of scope.all(type)) {
        const depth = type === 'work_items' ? scope.depth(record.id) : 0;
        if (record.deleted_at === null) add(index * 1000 + depth, record.id);
        else add(DELETION_WAVES + (SYNCED_WAVE_SPAN - index) * 1000 + (999 - Math.min(depth, 999)), record.id);
      }
    });
    const batches: SyncBatch[] = [];
    for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
      const ids = waves.get(wave)!;
      for (let at = 0; at < ids.length; at += this.batchSize)
        batches.push({
          id: newId(),
          run_id: run.id,
          wave,
          seq: batches.length,
          ids: ids.slice(at, at + this.batchSize),
          status: 'queued',
          attempt: 0,
          owner: null,
          lease_until: null,
          result: null,
          error: null,
        });
    }
    return batches;
  }

  /** Works batches (any run's) until every batch of this run has finished or the run is cancelled. */
  private async until(run: SyncRun, count: number): Promise<SyncBatch[]> {
    const { batches } = this.host.store;
    for (;;) {
      if (this.host.cancelled(run.id)) {
        await batches.abandon(run.id, 'cancelled');
        return (await batches.ofRun(run.id)).filter((b) => b.status === 'done');
      }
      const worked = this.works && (await this.workOne());
      const all = await batches.ofRun(run.id);
      const finished = all.filter((b) => b.status === 'done' || b.status === 'failed');
      if (finished.length === count) return finished;
      if (!worked) await sleep(this.pollMs);
    }
  }

  /** Works batches until `stopped()`; what a worker process does. */
  async work(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      let worked = false;
      try {
        worked = await this.workOne();
      } catch (error) {
        this.host.log(`sync worker: ${(error as Error).message}`);
      }
      if (!worked && !stopped()) await sleep(this.pollMs);
    }
  }

  /** Claims one free batch and pushes it; false when there was none. */
  async workOne(): Promise<boolean> {
    const batch = await this.host.store.batches.claim(this.host.owner, this.leaseMs);
    if (!batch) return false;
    await this.push(batch);
    return true;
  }

  private async push(batch: SyncBatch): Promise<void> {
    const { store, log } = this.host;
    if (batch.attempt > MAX_BATCH_ATTEMPTS) {
      await store.batches.finish(batch.id, batch.attempt, {
        status: 'failed',
        error: `gave up after ${MAX_BATCH_ATTEMPTS} attempts: ${batch.error ?? 'its workers stopped'}`,
      });
      return;
    }
    const run = await store.sync.getRun(batch.run_id);
    if (!run) return;
    let lost = false;
    const renew = setInterval(() => {
      void (async () => {
        if (!(await store.batches.renew(batch.id, batch.attempt, this.leaseMs))) lost = true;
        const current = await store.sync.getRun(run.id);
        if (current?.status !== 'running' || current.cancel_requested_at) lost = true;
      })().catch((error: Error) => log(`sync: lease of batch ${batch.id}: ${error.message}`));
    }, this.leaseMs / 3);
    renew.unref();
    // The batch's items are written with its end, in one fenced transaction: a stale claim leaves none.
    const items: SyncRunItem[] = [];
    const sink = {
      insertRunItems: (more: readonly SyncRunItem[]) => Promise.resolve(void items.push(...more)),
      updateRun: () => Promise.resolve(),
      insertAudit: store.sync.insertAudit.bind(store.sync),
    };
    const recorder = new RunRecorder(sink, run, this.host.emit, log, this.host.clock, (batch.seq + 1) * SEQ_SPAN);
    const fence = async (tx: Store) => {
      if (!(await tx.batches.holds(batch.id, batch.attempt)))
        throw new StateError('batch_taken_over', `batch ${batch.id}: attempt ${batch.attempt} was taken over by another worker`);
    };
    try {
      const part: SyncRun = { ...run, direction: 'push', mode: 'full', filters: { ids: batch.ids } };
      const connector = this.prepared?.runId === run.id ? this.prepared.connector : undefined;
      const env = await this.host.environment(part, recorder, {
        store: fenced(store, fence),
        createsKey: batchMarkerOf(run.connection, batch.id),
        cancelled: () => lost || this.host.cancelled(run.id),
        ...(connector ? { connector } : {}),
      });
      this.prepared = { runId: run.id, connector: env.connector };
      await executeRun(env);
      await recorder.flush();
      if (lost) return;
      // Stopped before its end (this process is stopping): what it did is kept, and another claim does the rest.
      const whole = !this.host.cancelled(run.id);
      await store.write(async (tx) => {
        await fence(tx);
        await tx.sync.insertRunItems(items);
        const result = { counters: recorder.counters, done: recorder.done, failed: recorder.failed };
        await tx.batches.finish(batch.id, batch.attempt, whole ? { status: 'done', result } : { status: 'queued' });
      });
    } catch (error) {
      this.prepared = undefined; // the next claim starts from a fresh connector, as a new run would
      if (lost || (isPmError(error) && error.code === 'batch_taken_over')) return;
      const message = isPmError(error) ? error.message : `unexpected: ${(error as Error).message}`;
      log(`sync: batch ${batch.id} of run ${run.id} (attempt ${batch.attempt}): ${message}`);
      await store.batches.finish(batch.id, batch.attempt, { status: 'queued', error: message });
    } finally {
      clearInterval(renew);
    }
  }
}

const SYNCED_WAVE_SPAN = 100;

/** The store as a batch writes through it: every write transaction first checks the batch's claim. */
function fenced(store: Store, fence: (tx: Store) => Promise<void>): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'write')
        return <T>(fn: (tx: Store) => Promise<T>, options?: Parameters<Store['write']>[1]) =>
          target.write(async (tx) => {
            await fence(tx);
            return fn(tx);
          }, options);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
