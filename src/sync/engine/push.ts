import { RemoteError, type AnyRecord, type WorkItem } from '../../domain/index.js';
import {
  SYNCED_TYPES,
  attemptsOf,
  canDelete,
  canUpdate,
  isAmbiguous,
  isRetryable,
  withRetry,
  type RemoteRecord,
  type SyncedFields,
  type SyncedType,
} from '../connectors/index.js';
import { changedKeys, pick } from './fields.js';
import { baseOf } from './links.js';
import { notSyncedOf } from './not-synced.js';
import { forEachConcurrently } from './pool.js';
import { nextBase } from './reconcile.js';
import type { RemoteDeletions } from './remote-deletions.js';
import { keyOf, type RemoteOp, type RunContext } from './run-context.js';
import { BREAKER_THRESHOLD } from './settings.js';

type ByType = Map<SyncedType, RemoteOp[]>;
const byType = (): ByType => new Map(SYNCED_TYPES.map((t) => [t, []]));

/**
 * The push: local changes out, each a retried remote write — creates parents first, then
 * updates, then deletions children first. A create that may already have happened (a timeout,
 * a 5xx, a run killed before its links were saved) is looked up by its pm id first, so the
 * remote never gets a record twice. After failures in a row the remote is taken for down and
 * the rest is recorded as not attempted.
 */
export class Pusher {
  private consecutiveFailures = 0;
  private breaker: Error | undefined;
  /** A create failed in a way that may have reached the remote: the marker stays for the next run. */
  private uncertainCreates = false;
  private createsMarked: Promise<void> | undefined;
  /** Creates a stopped run may have left on the remote were looked up and linked. */
  private recovered = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly deletions: RemoteDeletions,
  ) {}

  /** Local changes out; `queuedOnly`: just what the pull decided the remote needs. */
  async push(queuedOnly: boolean): Promise<void> {
    const { ctx } = this;
    const creates = byType();
    const updates = byType();
    const deletes = byType();
    const remove = (op: RemoteOp) => {
      // A remote that cannot delete this type keeps the record; the link stays, so it is not pulled back.
      if (canDelete(ctx.resource(op.type))) deletes.get(op.type)!.push(op);
      else ctx.env.recorder.count(op.type, 'skipped');
    };
    for (const op of ctx.queued.splice(0)) {
      if (op.kind === 'update') updates.get(op.type)!.push(op);
      else remove(op);
    }
    // The scope is current: every local write of the pull put its record back into it.
    const candidates = queuedOnly ? new Map<SyncedType, AnyRecord[]>() : await this.candidates();
    const notSynced = await notSyncedOf(ctx.env.store, ctx.name);
    for (const [type, records] of candidates) {
      for (const record of records) {
        if (ctx.decided.has(keyOf(type, record.id))) continue;
        if (notSynced.has(keyOf(type, record.id))) {
          ctx.env.recorder.count(type, 'skipped');
          continue;
        }
        const link = ctx.links.local(type, record.id);
        if (!ctx.filter.matches(type, record, link ? { remoteId: link.remote_id, updatedAt: null } : undefined)) continue;
        const fields = ctx.translator.project(type, record);
        if (fields === null) {
          if (link) remove({ kind: 'delete', type, localId: record.id, link });
        } else if (!link) creates.get(type)!.push({ kind: 'create', type, localId: record.id, fields });
        else {
          const base = baseOf(link);
          const changed = changedKeys(fields, base.local).filter((k) => k in fields);
          if (changed.length === 0) ctx.env.recorder.count(type, 'unchanged');
          else {
            const target = { ...base.remote, ...pick(fields, changed) };
            updates.get(type)!.push({
              kind: 'update',
              type,
              localId: record.id,
              link,
              fields: target,
              before: base.remote,
              local: fields,
              open: new Set(),
            });
          }
        }
      }
    }
    // Parents are created before and deleted after their children: their depth needs their ancestors.
    const items = [creates, deletes].flatMap((m) => m.get('work_items')!.map((op) => op.localId));
    await ctx.scope.fetchReferences('work_items', items);
    const count = (m: ByType) => [...m.values()].reduce((n, l) => n + l.length, 0);
    ctx.setPhase('push', count(creates) + count(updates) + count(deletes));
    await this.recoverCreates(creates);

    for (const type of ctx.types) {
      for (const level of this.levels(type, creates.get(type)!)) await this.run(level);
      await this.run(updates.get(type)!);
    }
    for (const type of [...ctx.types].reverse()) {
      // Children before parents: a parent's deletion would take its remote children along.
      const ops = deletes.get(type)!;
      if (type === 'work_items') ops.sort((a, b) => ctx.scope.depth(b.localId) - ctx.scope.depth(a.localId));
      await this.run(ops);
    }
  }

  /**
   * The local records that may differ from what was last synced: every record of the project,
   * or on an incremental run with a local cursor, those written since and what hangs on them.
   */
  private async candidates(): Promise<Map<SyncedType, AnyRecord[]>> {
    const { scope, localChanges, types } = this.ctx;
    if (localChanges.since === undefined) return new Map(types.map((t) => [t, scope.all(t)]));
    const changed = await scope.fetchChangedSince(localChanges.since);
    return new Map(types.map((t) => [t, (changed.get(t) ?? []).map((id) => scope.get(t, id)!)]));
  }

  /** True when no create of this run may have reached the remote unrecorded (the marker can go). */
  get createsSettled(): boolean {
    return (this.createsMarked !== undefined || this.recovered) && !this.uncertainCreates;
  }

  get createsKey(): string {
    return this.ctx.env.createsKey ?? `sync:${this.ctx.name}:creates_since`;
  }

  /** Work items by depth, so a parent exists remotely before its children are created. */
  private levels(type: SyncedType, ops: RemoteOp[]): RemoteOp[][] {
    if (type !== 'work_items') return [ops];
    const byDepth = new Map<number, RemoteOp[]>();
    for (const op of ops) {
      const depth = this.ctx.scope.depth(op.localId);
      const level = byDepth.get(depth);
      if (level) level.push(op);
      else byDepth.set(depth, [op]);
    }
    return [...byDepth.keys()].sort((a, b) => a - b).map((d) => byDepth.get(d)!);
  }

  private async run(ops: RemoteOp[]): Promise<void> {
    await forEachConcurrently(
      ops,
      this.ctx.env.connection.workers,
      (op) => this.apply(op),
      () => this.ctx.stopped(),
    );
  }

  /**
   * After a run that stopped between remote creates and saving their links, the remote may
   * already have records for some of these creates: find them by pm id and link instead.
   */
  private async recoverCreates(creates: ByType): Promise<void> {
    const { ctx } = this;
    const since = await ctx.env.store.getMeta(this.createsKey);
    if (!since || ctx.dry) return;
    for (const type of ctx.types) {
      const ops = creates.get(type)!;
      if (ops.length === 0) continue;
      const fields = new Map<string, SyncedFields>();
      for (const op of ops) {
        try {
          fields.set(op.localId, ctx.translator.toRemoteIds(type, op.fields!));
        } catch {
          // its reference is not on the remote either: it cannot have been created
        }
      }
      const found = await ctx.resource(type).find([...fields.keys()], fields, since);
      for (const [localId, record] of found)
        this.linkCreated(
          ops.find((o) => o.localId === localId)!,
          record,
          'link',
          1,
        );
      creates.set(
        type,
        ops.filter((op) => !found.has(op.localId)),
      );
    }
    this.recovered = true;
  }

  private async apply(op: RemoteOp): Promise<void> {
    const { ctx } = this;
    ctx.decided.add(keyOf(op.type, op.localId));
    const where = op.link ? { remoteId: op.link.remote_id, url: op.link.remote_url } : undefined;
    const failed = (error: unknown, attempts: number) => ctx.fail(op.type, op.localId, where, 'push', op.kind, error, attempts);
    if (this.breaker) {
      failed(new RemoteError(`not attempted: ${this.breaker.message}`, { retryable: true }), 0);
      return;
    }
    try {
      if (op.kind === 'create') await this.create(op);
      else if (op.kind === 'update') await this.update(op);
      else await this.delete(op);
      this.consecutiveFailures = 0;
      if (!ctx.dry) ctx.remoteWrites++;
    } catch (error) {
      failed(error, attemptsOf(error));
      if (isRetryable(error) && ++this.consecutiveFailures >= BREAKER_THRESHOLD) this.breaker = error as Error;
    } finally {
      ctx.tick();
    }
  }

  private async create(op: RemoteOp): Promise<void> {
    const { ctx } = this;
    const { type, localId } = op;
    const fields = ctx.translator.toRemoteIds(type, op.fields!, ctx.dry);
    if (ctx.dry) {
      ctx.done(type, localId, undefined, 'push', 'create', 0);
      return;
    }
    await (this.createsMarked ??= this.markCreates());
    const resource = ctx.resource(type);
    let lookFirst = false;
    const { value, attempts } = await withRetry(
      async () => {
        if (lookFirst) {
          // The last attempt may have reached the remote: never make the record twice.
          const found = (await resource.find([localId], new Map([[localId, fields]]))).get(localId);
          if (found) return { record: found, adopted: true };
        }
        return { record: await resource.create(fields, localId), adopted: false };
      },
      ctx.env.retry,
      {
        onRetry: (_attempt, _delay, error) => {
          // A note is written before it can be read back: after any failure, look for it first.
          lookFirst ||= isAmbiguous(error) || type === 'comments';
        },
      },
    ).catch((error: unknown) => {
      // Some attempt may have made it: the next run looks for it by pm id before creating.
      if (lookFirst || isAmbiguous(error)) this.uncertainCreates = true;
      throw error;
    });
    this.linkCreated(op, value.record, value.adopted ? 'link' : 'create', attempts);
  }

  /** Before the first create, a marker that survives a crash: the next run then looks for orphans. */
  private async markCreates(): Promise<void> {
    const { store } = this.ctx.env;
    if (!(await store.getMeta(this.createsKey))) {
      await store.write((tx) => tx.setMeta(this.createsKey, this.ctx.env.run.started_at ?? this.ctx.isoNow()));
    }
  }

  private linkCreated(op: RemoteOp, record: RemoteRecord, operation: 'create' | 'link', attempts: number): void {
    const { ctx } = this;
    const remote = ctx.translator.toLocalIds(op.type, record.fields).fields;
    if (operation === 'create') {
      ctx.observeRemoteWrite(record.updatedAt);
      ctx.created.add(keyOf(op.type, op.localId));
    }
    ctx.putLink(ctx.newLink(op.type, op.localId, record, { local: op.fields!, remote }));
    ctx.done(op.type, op.localId, record, 'push', operation, attempts);
  }

  private async update(op: RemoteOp): Promise<void> {
    const { ctx } = this;
    const { type, localId } = op;
    const link = op.link!;
    const target = ctx.translator.toRemoteIds(type, op.fields!, ctx.dry);
    const before = op.beforeRemote ?? ctx.translator.toRemoteIds(type, op.before!, true);
    if (ctx.dry) {
      ctx.done(type, localId, { remoteId: link.remote_id, url: link.remote_url }, 'push', 'update', 0);
      return;
    }
    const resource = ctx.resource(type);
    if (!canUpdate(resource))
      throw new RemoteError(`${ctx.env.connection.kind} cannot change ${type} in place, only delete and create them`, {
        retryable: false,
      });
    let after: RemoteRecord;
    let attempts: number;
    try {
      ({ value: after, attempts } = await withRetry(() => resource.update(link.remote_id, target, before), ctx.env.retry));
    } catch (error) {
      if (error instanceof RemoteError && error.status === 404) return this.deletions.deleted(type, link, attemptsOf(error));
      throw error;
    }
    ctx.observeRemoteWrite(after.updatedAt);
    // What was pushed is what the remote now says; the rest of its base stays as it was known.
    const pushed = changedKeys(op.fields!, op.before!);
    const remote = { ...op.before!, ...pick(ctx.translator.toLocalIds(type, after.fields).fields, pushed) };
    const base = nextBase(op.local!, remote, baseOf(link), op.open ?? new Set());
    const moved = {
      ...link,
      remote_updated_at: after.updatedAt,
      remote_url: after.url ?? link.remote_url,
      synced_at: ctx.isoNow(),
    };
    ctx.putLink(ctx.withBase(moved, base));
    ctx.done(type, localId, after, 'push', 'update', attempts);
  }

  private async delete(op: RemoteOp): Promise<void> {
    const { ctx } = this;
    const { type, localId } = op;
    const link = op.link!;
    const where = { remoteId: link.remote_id, url: link.remote_url };
    if (type === 'work_items') {
      const child = [...ctx.failedLocal]
        .map((id) => ctx.scope.peek('work_items', id) as WorkItem | undefined)
        .find((i) => i?.parent_id === localId && i.deleted_at === null);
      if (child) {
        const reason = `kept: deleting it would delete child ${child.id} on the remote too, and moving that child failed`;
        throw new RemoteError(reason, { retryable: true });
      }
    }
    if (ctx.dry) {
      ctx.done(type, localId, where, 'push', 'delete', 0);
      return;
    }
    const resource = ctx.resource(type);
    if (!canDelete(resource)) throw new Error(`sync: ${type} cannot be deleted on ${ctx.env.connection.kind}`); // filtered out before
    const { attempts } = await withRetry(() => resource.delete(link.remote_id), ctx.env.retry);
    ctx.dropLink(link);
    ctx.done(type, localId, where, 'push', 'delete', attempts);
  }
}
