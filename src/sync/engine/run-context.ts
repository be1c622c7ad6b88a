import { isPmError, type Author, type SyncLink, type SyncRun } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { ConnectionSettings, Connector, RemoteRecord, RetryPolicy, SyncedFields, SyncedType } from '../connectors/index.js';
import type { RunEvent, RunPhase } from './events.js';
import { fieldsHash } from './fields.js';
import { RecordFilter } from './filter.js';
import type { ItemReport, RunRecorder } from './history.js';
import { LinkIndex, type LinkBase } from './links.js';
import { LocalScope } from './local-scope.js';
import { resourceOf, syncedTypes, type EngineResource } from './resources.js';
import { MissingReferenceError, Translator } from './translate.js';

export interface RunEnvironment {
  store: Store;
  connector: Connector;
  connection: ConnectionSettings<object>;
  projectId: string;
  firstStatus: string;
  /** What decides how local records look remotely (mappings, board statuses): a change means read them all again. */
  mappingKey: string;
  run: SyncRun;
  recorder: RunRecorder;
  retry: RetryPolicy;
  clock: () => number;
  /** True once the run is asked to stop. */
  cancelled: () => boolean;
  emit: (event: RunEvent) => void;
  log: (message: string) => void;
  /** Where the push marks creates that may reach the remote unlinked (default: the connection's marker; a batch has its own). */
  createsKey?: string;
}

/** A remote write the run decided on. */
export interface RemoteOp {
  kind: 'create' | 'update' | 'delete';
  type: SyncedType;
  localId: string;
  link?: SyncLink;
  /** create: the local fields; update: what the remote should hold. */
  fields?: SyncedFields;
  /** update: what the remote holds, as far as the run knows. */
  before?: SyncedFields;
  /** update: what the remote holds as read, with its own ids (references to records pm does not have). */
  beforeRemote?: SyncedFields;
  /** update: the local side's fields now, and fields left in conflict. */
  local?: SyncedFields;
  open?: Set<string>;
}

export type Where = { remoteId: string; url: string | null } | undefined;

export const keyOf = (type: string, id: string) => `${type}:${id}`;

/**
 * The local cursor: the change counter up to which a connection's push has seen every local
 * change, with the mapping it saw them through. An incremental run that has one reads only the
 * records written since (and what hangs on them) instead of the whole project.
 */
export const LocalChanges = {
  entity: 'local_changes',

  cursor(seq: number, mappingKey: string): string {
    return `${seq}:${mappingKey}`;
  },

  async since(env: RunEnvironment, filter: RecordFilter): Promise<number | undefined> {
    const { run, store, connection } = env;
    if (run.mode !== 'incremental' || filter.partial) return undefined;
    // A pull without a cursor lists everything and looks for deletions among all records.
    if (run.direction !== 'push') {
      for (const type of syncedTypes(env.connector)) {
        if (resourceOf(env.connector, type).listing !== 'incremental') continue;
        if (!(await store.sync.getCursor(connection.name, type))) return undefined;
      }
    }
    const saved = await store.sync.getCursor(connection.name, LocalChanges.entity);
    const [seq, key] = (saved ?? '').split(':');
    return saved && key === env.mappingKey && /^\d+$/.test(seq!) ? Number(seq) : undefined;
  },
};

/**
 * What the phases of one run share: the connection's links and the project's records as the
 * run keeps them current, what has been decided, and how items, links and progress are recorded.
 */
export class RunContext {
  readonly author: Author;
  /** Remote records this run created, as `type:localId`. */
  readonly created = new Set<string>();
  /** Records already decided in this run, so later phases leave them alone. */
  readonly decided = new Set<string>();
  /** Remote writes the pull decided on, for the push to make. */
  readonly queued: RemoteOp[] = [];
  /** Local records whose sync failed in this run. */
  readonly failedLocal = new Set<string>();
  /** Remote writes that succeeded: a run that made none has nothing to catch up on. */
  remoteWrites = 0;
  /** The second pull, after the push: records already counted once are not counted again. */
  catchingUp = false;
  /** How far the remote's clock is ahead of ours, at least (it can be negative). */
  private remoteAhead: number | undefined;
  private readonly pendingLinks = new Map<string, SyncLink | null>();
  private linkFlush: Promise<void> = Promise.resolve();
  private progress = { phase: 'pull' as RunPhase, done: 0, total: 0 };

  readonly translator: Translator;
  /** The types this connection syncs, in reference order. */
  readonly types: readonly SyncedType[];

  private constructor(
    readonly env: RunEnvironment,
    readonly links: LinkIndex,
    readonly scope: LocalScope,
    readonly filter: RecordFilter,
    /** Local changes the push looks at: after `since` (all records when undefined), up to `upTo`. */
    readonly localChanges: { since: number | undefined; upTo: number },
  ) {
    this.author = { actor: `sync:${env.connection.name}`, now: env.clock() };
    this.translator = new Translator(env.connector, links, scope);
    this.types = syncedTypes(env.connector).filter((t) => filter.syncs(t));
  }

  static async load(env: RunEnvironment): Promise<RunContext> {
    // Taken first: whatever is written from here on is the next run's to look at.
    const changeSeq = await env.store.changeSeq();
    const filter = await RecordFilter.create(env.store, env.run.filters);
    const since = await LocalChanges.since(env, filter);
    // A run that looks at every record (no local cursor, or a full census) reads every link at once.
    const whole = since === undefined || env.run.mode === 'full';
    const links = await LinkIndex.load(env.store.sync, env.connection.name, { whole });
    const scope =
      since === undefined ? await LocalScope.load(env.store, env.projectId) : LocalScope.partial(env.store, env.projectId);
    return new RunContext(env, links, scope, filter, { since, upTo: changeSeq });
  }

  /** Where the next run's push may start, once this run has pushed every local change it saw. */
  localCursor(): string {
    return LocalChanges.cursor(this.localChanges.upTo, this.env.mappingKey);
  }

  /** The remote id of a comment's work item: connectors read a comment through it. */
  commentParentRemoteId(commentId: string): string | undefined {
    const comment = this.scope.get('comments', commentId);
    return comment ? this.links.local('work_items', comment.work_item_id)?.remote_id : undefined;
  }

  resource(type: SyncedType): EngineResource {
    return resourceOf(this.env.connector, type);
  }

  get dry(): boolean {
    return this.env.run.dry_run;
  }

  get name(): string {
    return this.env.connection.name;
  }

  stopped(): boolean {
    return this.env.cancelled();
  }

  /** The run's author at this moment. */
  now(): Author {
    return { actor: this.author.actor, now: this.env.clock() };
  }

  isoNow(): string {
    return new Date(this.env.clock()).toISOString();
  }

  // ---- links -----------------------------------------------------------------------------

  newLink(type: SyncedType, localId: string, record: RemoteRecord, base: LinkBase): SyncLink {
    return this.withBase(
      {
        connection: this.name,
        entity_type: type,
        local_id: localId,
        remote_id: record.remoteId,
        remote_url: record.url,
        remote_updated_at: record.updatedAt,
        local_hash: '',
        remote_hash: '',
        base: {},
        synced_at: this.isoNow(),
      },
      base,
    );
  }

  withBase(link: SyncLink, base: LinkBase): SyncLink {
    return {
      ...link,
      base: { local: base.local, remote: base.remote },
      local_hash: fieldsHash(base.local),
      remote_hash: fieldsHash(base.remote),
    };
  }

  /** Keeps a link in memory now and writes it with the next batch. */
  putLink(link: SyncLink): void {
    this.links.set(link);
    if (this.dry) return;
    this.pendingLinks.set(keyOf(link.entity_type, link.local_id), link);
    // Links go in batches of the connection's batch size: a crash before one is covered by pm id lookups.
    if (this.pendingLinks.size >= this.env.connection.batchSize) void this.flushLinks().catch(() => undefined);
  }

  dropLink(link: SyncLink): void {
    this.links.remove(link);
    if (this.dry) return;
    this.pendingLinks.set(keyOf(link.entity_type, link.local_id), null);
  }

  /** Writes queued links in one transaction; a failure here fails the run (links are state, not history). */
  flushLinks(): Promise<void> {
    const batch = [...this.pendingLinks.entries()];
    this.pendingLinks.clear();
    this.linkFlush = this.linkFlush.then(async () => {
      if (batch.length === 0) return;
      await this.env.store.write(async (tx) => {
        for (const [key, link] of batch) {
          if (link) await tx.sync.putLink(link);
          else {
            const [type, ...id] = key.split(':');
            await tx.sync.deleteLink(this.name, type!, id.join(':'));
          }
        }
      });
    });
    return this.linkFlush;
  }

  /**
   * A time on the remote's clock no later than the local time `local` (ms), for remotes whose
   * answers carry no Date header: the stamp on a write of this run was past when its answer came.
   */
  remoteTimeAt(local: number): string | undefined {
    return this.remoteAhead === undefined ? undefined : new Date(local + this.remoteAhead).toISOString();
  }

  /**
   * The stamp the remote put on a write of this run, just answered. Only fresh writes count: a
   * listed record may carry a time from before a clock change, even one in the future.
   */
  observeRemoteWrite(remoteTime: string | null): void {
    const ahead = remoteTime ? Date.parse(remoteTime) - Date.now() : NaN;
    if (!Number.isNaN(ahead) && (this.remoteAhead === undefined || ahead > this.remoteAhead)) this.remoteAhead = ahead;
  }

  // ---- items and progress ----------------------------------------------------------------

  report(
    type: SyncedType,
    localId: string | null,
    remote: Where,
    direction: 'pull' | 'push',
    operation: 'create' | 'update' | 'delete' | 'link' | 'conflict',
    attempts: number,
  ): ItemReport {
    return {
      entity_type: type,
      local_id: localId,
      remote_id: remote?.remoteId ?? null,
      remote_url: remote?.url ?? null,
      direction,
      operation,
      status: this.dry ? 'planned' : 'done',
      error: null,
      attempts,
    };
  }

  /** Records what was done (or, in a dry run, what would be). */
  done(...args: Parameters<RunContext['report']>): void {
    this.env.recorder.item(this.report(...args));
  }

  fail(
    type: SyncedType,
    localId: string | null,
    remote: Where,
    direction: 'pull' | 'push',
    operation: 'create' | 'update' | 'delete',
    error: unknown,
    attempts: number,
  ): void {
    if (localId) this.failedLocal.add(localId);
    const message =
      error instanceof MissingReferenceError || isPmError(error) ? error.message : `unexpected: ${(error as Error).message}`;
    this.env.recorder.item({
      ...this.report(type, localId, remote, direction, operation, attempts),
      status: 'failed',
      error: message,
    });
  }

  setPhase(phase: RunPhase, total: number): void {
    this.progress = { phase, done: 0, total };
    this.emitProgress();
  }

  setTotal(total: number): void {
    this.progress.total = total;
  }

  tick(): void {
    this.progress.done++;
    this.emitProgress();
  }

  private emitProgress(): void {
    this.env.emit({ type: 'progress', run_id: this.env.run.id, ...this.progress });
  }
}
