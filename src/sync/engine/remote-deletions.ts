import type { AnyRecord, SyncLink } from '../../domain/index.js';
import { attemptsOf, type SyncedType } from '../connectors/index.js';
import { patchLocalRecord } from './local-writes.js';
import { forEachConcurrently } from './pool.js';
import type { Listings, Puller } from './pull.js';
import { keyOf, type RunContext } from './run-context.js';

/**
 * Deletions on the remote, which records none: a full run's census of remote ids names the
 * candidates, and only a 404 on the record itself confirms one (absence from a listing never
 * does). A confirmed deletion makes the local record a tombstone.
 */
export class RemoteDeletions {
  constructor(
    private readonly ctx: RunContext,
    private readonly puller: Puller,
  ) {}

  /**
   * Linked records missing from the census of a full listing, each read once: gone, or merged
   * like any pulled record.
   */
  async find(listings: Listings): Promise<void> {
    const { ctx } = this;
    if (![...listings.values()].some((l) => l.full && l.census)) return;
    await ctx.flushLinks();
    const missing: SyncLink[] = [];
    for (const type of ctx.types) {
      const listing = listings.get(type);
      const seen = listing?.full ? listing.census : undefined;
      if (!seen) continue;
      for (const link of await ctx.links.all(type)) {
        if (!seen.has(link.remote_id) && !ctx.decided.has(keyOf(type, link.local_id))) missing.push(link);
      }
    }
    ctx.setPhase('deletions', missing.length);
    await forEachConcurrently(
      missing,
      ctx.env.connection.workers,
      async (link) => {
        const type = link.entity_type as SyncedType;
        try {
          const parent = type === 'comments' ? ctx.commentParentRemoteId(link.local_id) : undefined;
          const value = await ctx.resource(type).get(link.remote_id, parent);
          // Listed elsewhere (a page shifted under the scan): merge it like any pulled record.
          if (value) await this.puller.mergeLinked(value, ctx.translator.toLocalIds(type, value.fields).fields, link);
          else await this.deleted(type, link, 1);
        } catch (error) {
          ctx.fail(
            type,
            link.local_id,
            { remoteId: link.remote_id, url: link.remote_url },
            'pull',
            'delete',
            error,
            attemptsOf(error),
          );
        } finally {
          ctx.tick();
        }
      },
      () => ctx.stopped(),
    );
  }

  /** The remote record is gone (a 404): the local one becomes a tombstone and the link goes. */
  async deleted(type: SyncedType, link: SyncLink, attempts: number): Promise<void> {
    const { ctx } = this;
    const where = { remoteId: link.remote_id, url: link.remote_url };
    if (ctx.dry) {
      ctx.done(type, link.local_id, where, 'pull', 'delete', 0);
      return;
    }
    await ctx.flushLinks();
    const next = await ctx.env.store.write(async (tx) => {
      const current = (await tx.get(type, link.local_id)) as AnyRecord | undefined;
      const tombstone =
        current && current.deleted_at === null ? patchLocalRecord(type, current, { deleted_at: ctx.isoNow() }, ctx.now()) : null;
      if (tombstone) await tx.update(type, tombstone as never);
      await tx.sync.deleteLink(ctx.name, type, link.local_id);
      return tombstone;
    });
    if (next) ctx.scope.put(type, next);
    ctx.links.remove(link);
    ctx.decided.add(keyOf(type, link.local_id));
    ctx.done(type, link.local_id, where, 'pull', 'delete', attempts);
  }
}
