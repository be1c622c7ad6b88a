import { RemoteError, type AnyRecord, type SyncLink } from '../../domain/index.js';
import { attemptsOf, canDelete, withRetry, type RemoteRecord, type SyncedFields, type SyncedType } from '../connectors/index.js';
import { changedKeys, pick, sameFields } from './fields.js';
import { baseOf } from './links.js';
import { forEachConcurrently } from './pool.js';
import { keyOf, type RunContext } from './run-context.js';

/** A remote record pm does not have: not linked, or linked to a record deleted in pm. */
interface Doomed {
  record: RemoteRecord;
  link: SyncLink | undefined;
}

/**
 * An overwrite run (seed 004): before the push it makes the remote equal to pm. Every remote
 * record of the connection's project is read; those pm does not have are deleted (chunk by
 * chunk, the run's deletion count written after each), and those that differ from pm are queued
 * for the push with pm's fields, whatever the remote changed. Nothing is pulled.
 *
 * A record pm keeps may still hang on one it does not (a linked child under an unlinked parent):
 * deleting that one first would take pm's record with it on most trackers, so it waits until the
 * push has moved pm's records away.
 */
export class Overwrite {
  private readonly doomed = new Map<string, Doomed>();
  private readonly held = new Map<string, Doomed & { holders: string[] }>();

  constructor(private readonly ctx: RunContext) {}

  /** Reads the remote, deletes what pm does not have (but what pm's records hang on), queues pm's fields. */
  async prepare(): Promise<void> {
    const { ctx } = this;
    ctx.setPhase('overwrite', 0);
    const kept: { record: RemoteRecord; localId: string }[] = [];
    const listed = new Map<SyncedType, Set<string>>(ctx.types.map((t) => [t, new Set()]));
    for (const type of ctx.types) {
      if (ctx.stopped()) return;
      const records: RemoteRecord[] = [];
      await ctx
        .resource(type)
        .list({ mode: 'full', since: undefined, known: () => false, listed: (t) => listed.get(t) ?? new Set() }, (record) => {
          records.push(record);
          return Promise.resolve();
        });
      for (const record of records) {
        const link = ctx.links.remote(type, record.remoteId);
        const local = link ? ctx.scope.get(type, link.local_id) : undefined;
        const mine = local ? ctx.translator.project(type, local) : null;
        if (link) ctx.decided.add(keyOf(type, link.local_id));
        if (local && mine) {
          listed.get(type)!.add(record.remoteId);
          kept.push({ record, localId: local.id });
          this.compare(record, link!, local, mine);
        } else if (canDelete(ctx.resource(type))) this.doomed.set(keyOf(type, record.remoteId), { record, link });
        else ctx.env.recorder.count(type, 'skipped');
      }
      await this.relinkMissing(type, new Set(records.map((r) => r.remoteId)));
    }
    for (const { record, localId } of kept) {
      for (const [field, target] of Object.entries(ctx.resource(record.type).references)) {
        const id = record.fields[field];
        if (id !== null && id !== undefined) this.hold(keyOf(target, String(id)), localId);
      }
    }
    await this.delete([...this.doomed.values()]);
  }

  /** After the push: the records pm's records hung on, unless moving one of those failed. */
  async finish(): Promise<void> {
    const { ctx } = this;
    const ready: Doomed[] = [];
    for (const held of this.held.values()) {
      const failed = held.holders.find((id) => ctx.failedLocal.has(id));
      if (failed === undefined) ready.push(held);
      else {
        const where = { remoteId: held.record.remoteId, url: held.record.url };
        const error = new RemoteError(`kept: pm's record ${failed} is under it on the remote, and moving that failed`, {
          retryable: true,
        });
        ctx.fail(held.record.type, held.link?.local_id ?? null, where, 'push', 'delete', error, 0);
      }
    }
    await this.delete(ready);
  }

  /** A doomed record a kept one refers to waits for the push, with every doomed ancestor (they would take it along). */
  private hold(key: string, holder: string): void {
    const doomed = this.doomed.get(key);
    const held = this.held.get(key);
    if (held) held.holders.push(holder);
    if (!doomed) return;
    this.doomed.delete(key);
    this.held.set(key, { ...doomed, holders: [holder] });
    const parent = doomed.record.type === 'work_items' ? doomed.record.fields.parent_id : null;
    if (parent !== null && parent !== undefined) this.hold(keyOf('work_items', String(parent)), holder);
  }

  /** A linked record the remote holds: queued with pm's fields where they differ (remote edits lose). */
  private compare(record: RemoteRecord, link: SyncLink, local: AnyRecord, mine: SyncedFields): void {
    const { ctx } = this;
    const { type } = record;
    const { fields: remote, missing } = ctx.translator.toLocalIds(type, record.fields);
    // A reference to a remote record pm does not have reads as null here, yet differs from pm's.
    const changed = new Set([...changedKeys(mine, remote).filter((k) => k in mine), ...missing.map((m) => m.field)]);
    if (changed.size === 0) {
      ctx.env.recorder.count(type, 'unchanged');
      const base = baseOf(link);
      if (!sameFields(base.local, mine) || !sameFields(base.remote, remote))
        ctx.putLink(
          ctx.withBase({ ...link, remote_updated_at: record.updatedAt, synced_at: ctx.isoNow() }, { local: mine, remote }),
        );
      return;
    }
    ctx.queued.push({
      kind: 'update',
      type,
      localId: local.id,
      link,
      fields: { ...remote, ...pick(mine, changed) },
      before: remote,
      beforeRemote: record.fields,
      local: mine,
      open: new Set(),
    });
  }

  /**
   * Links of this type whose remote record the full listing did not show: read once, and when
   * the remote confirms it is gone the link goes, so the push creates pm's record again.
   */
  private async relinkMissing(type: SyncedType, seen: ReadonlySet<string>): Promise<void> {
    const { ctx } = this;
    const missing = (await ctx.links.all(type)).filter((l) => !seen.has(l.remote_id));
    await forEachConcurrently(missing, ctx.env.connection.workers, async (link) => {
      const parent = type === 'comments' ? ctx.commentParentRemoteId(link.local_id) : undefined;
      try {
        if ((await ctx.resource(type).get(link.remote_id, parent)) === null) {
          ctx.dropLink(link);
          ctx.decided.delete(keyOf(type, link.local_id));
        }
      } catch (error) {
        ctx.fail(
          type,
          link.local_id,
          { remoteId: link.remote_id, url: link.remote_url },
          'push',
          'update',
          error,
          attemptsOf(error),
        );
      }
    });
  }

  /** Deletes chunk by chunk, children's types first; after each chunk the run's counts are written. */
  private async delete(doomed: Doomed[]): Promise<void> {
    const { ctx } = this;
    if (doomed.length === 0) return;
    const order = [...ctx.types].reverse();
    doomed.sort((a, b) => order.indexOf(a.record.type) - order.indexOf(b.record.type));
    ctx.setPhase('overwrite', doomed.length);
    const size = Math.max(1, ctx.env.connection.batchSize);
    for (let at = 0; at < doomed.length && !ctx.stopped(); at += size) {
      await forEachConcurrently(
        doomed.slice(at, at + size),
        ctx.env.connection.workers,
        (d) => this.deleteOne(d),
        () => ctx.stopped(),
      );
      if (!ctx.dry) await ctx.flushLinks();
      await ctx.env.recorder.checkpoint();
    }
  }

  private async deleteOne({ record, link }: Doomed): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    const where = { remoteId: record.remoteId, url: record.url };
    const localId = link?.local_id ?? null;
    try {
      let attempts = 0;
      if (!ctx.dry) {
        const resource = ctx.resource(type);
        if (!canDelete(resource)) throw new Error(`sync: ${type} cannot be deleted`); // left out when listed
        ({ attempts } = await withRetry(() => resource.delete(record.remoteId), ctx.env.retry));
        if (link) ctx.dropLink(link);
        ctx.remoteWrites++;
      }
      ctx.done(type, localId, where, 'push', 'delete', attempts);
      ctx.env.recorder.deleted(type);
    } catch (error) {
      ctx.fail(type, localId, where, 'push', 'delete', error, attemptsOf(error));
    } finally {
      ctx.tick();
    }
  }
}
