import { ValidationError, type AnyRecord, type SyncLink } from '../../domain/index.js';
import { SYNCED_TYPES, type Listing, type RemoteRecord, type SyncedFields, type SyncedType } from '../connectors/index.js';
import { sameFields } from './fields.js';
import { baseOf } from './links.js';
import { assertLocalInvariants, buildLocalRecord, patchLocalRecord } from './local-writes.js';
import { nextBase, reconcile } from './reconcile.js';
import { keyOf, type RunContext } from './run-context.js';
import { CURSOR_OVERLAP_MS } from './settings.js';
import type { SyncConflicts } from './sync-conflicts.js';

/** Each type's listing, with the local time it began and whether it listed every record. */
export type Listings = Map<SyncedType, Listing & { startedAt: number; full: boolean }>;

/**
 * The pull: the remote's changes since the cursor (everything without one, or exactly the
 * records a run names), each merged into its local record — created, adopted, merged three-way
 * with the link's base, or queued as a remote write for the push.
 */
export class Puller {
  constructor(
    private readonly ctx: RunContext,
    private readonly conflicts: SyncConflicts,
  ) {}

  /**
   * Lists each type's remote changes since its cursor (everything without one) and merges them
   * in. `cursors` holds the saved cursor of each type that lists incrementally.
   */
  async pull(cursors: ReadonlyMap<SyncedType, string>): Promise<Listings> {
    const { ctx } = this;
    ctx.setPhase('pull', 0);
    // One version per record: a record changed during the listing comes again, newer.
    const buffered = new Map<SyncedType, Map<string, RemoteRecord>>(ctx.types.map((t) => [t, new Map()]));
    const keep = (record: RemoteRecord) => {
      const list = buffered.get(record.type)!;
      list.delete(record.remoteId);
      list.set(record.remoteId, record);
    };
    const listings: Listings = new Map();
    if (ctx.filter.targeted) (await this.readTargets()).forEach(keep);
    else {
      // Types listed through their parents, or in full every time, follow the run: incremental
      // when every type that keeps a cursor has one.
      // A run of some types only lists theirs in full: comments cannot follow the work items it leaves out.
      const incremental =
        !ctx.filter.typesLimited && ctx.types.every((t) => ctx.resource(t).listing !== 'incremental' || cursors.has(t));
      for (const type of ctx.types) {
        if (ctx.stopped()) break;
        const resource = ctx.resource(type);
        const cursor = resource.listing === 'incremental' ? cursors.get(type) : undefined;
        const since = cursor ? new Date(Date.parse(cursor) - CURSOR_OVERLAP_MS).toISOString() : undefined;
        // The remote stamps whole seconds: a change in the same second as pm's last look at a record
        // keeps its stamp. Such a record is read again until a listing begins after that second.
        const settledBefore = cursor ? Math.floor(Date.parse(cursor) / 1000) * 1000 : -Infinity;
        const startedAt = Date.now();
        const full = !(resource.listing === 'incremental' ? since !== undefined : incremental);
        const listing = await resource.list(
          {
            mode: full ? 'full' : 'incremental',
            since,
            // Seen as it is now (the overlap lists the last seconds again): skip it and its details.
            // The stamp may be older than pm's look at it, so the fields are compared too. A record
            // this run created counts as seen: a change by someone else within the second it was
            // made would wait for a full run (reading every new record back is what it saves).
            known: (r) => {
              const link = ctx.links.remote(r.type, r.remoteId);
              if (!link || r.updatedAt === null || link.remote_updated_at !== r.updatedAt) return false;
              if (Date.parse(r.updatedAt) >= settledBefore && !ctx.created.has(keyOf(r.type, link.local_id))) return false;
              return sameFields(ctx.translator.toLocalIds(r.type, r.fields).fields, baseOf(link).remote);
            },
            listed: (t) => new Set(buffered.get(t)?.keys() ?? []),
          },
          (record) => {
            keep(record);
            return Promise.resolve();
          },
        );
        listings.set(type, { ...listing, startedAt, full });
      }
    }
    ctx.setTotal([...buffered.values()].reduce((n, list) => n + list.size, 0));
    await this.readLocal(buffered);
    for (const type of ctx.types) {
      if (ctx.stopped()) break;
      await this.pullType(type, [...buffered.get(type)!.values()]);
    }
    return listings;
  }

  /**
   * A partial scope reads what the pulled records touch: the local records they are linked to or
   * carry the pm id of, and the records their references name (so merges and projections resolve).
   */
  private async readLocal(buffered: Map<SyncedType, Map<string, RemoteRecord>>): Promise<void> {
    const { ctx } = this;
    if (ctx.scope.complete) return;
    const named = new Map<SyncedType, Set<string>>(SYNCED_TYPES.map((t) => [t, new Set<string>()]));
    for (const [type, records] of buffered) {
      for (const record of records.values()) {
        const link = ctx.links.remote(type, record.remoteId);
        if (link) named.get(type)!.add(link.local_id);
        if (record.pmId) named.get(type)!.add(record.pmId);
        const { fields } = ctx.translator.toLocalIds(type, record.fields);
        for (const [field, target] of Object.entries(ctx.resource(type).references)) {
          const id = fields[field];
          if (typeof id === 'string') named.get(target)!.add(id);
        }
      }
    }
    for (const [type, ids] of named) await ctx.scope.fetchReferences(type, ids);
  }

  /** A remote record merged into its linked local one (also used when a census finds it after all). */
  async mergeLinked(record: RemoteRecord, remote: SyncedFields, link: SyncLink): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    const local = ctx.scope.get(type, link.local_id);
    const base = baseOf(link);
    ctx.decided.add(keyOf(type, link.local_id));
    if (!local) {
      // Linked to a record this database does not have (replaced or restored): take the remote's again.
      if (!ctx.dry) await ctx.env.store.write((tx) => tx.sync.deleteLink(ctx.name, type, link.local_id));
      ctx.links.remove(link);
      await this.createLocal(record, remote);
      return;
    }
    const mine = ctx.translator.project(type, local);
    if (mine === null) {
      // Deleted here. Delete vs edit: the later one wins.
      const remoteEdited =
        !sameFields(remote, base.remote) &&
        record.updatedAt !== null &&
        local.deleted_at !== null &&
        record.updatedAt > local.deleted_at;
      const revived = { ...ctx.resource(type).toLocal(remote, local), deleted_at: null };
      if (remoteEdited) await this.writeLocal(record, local, revived, link, remote, new Set());
      else ctx.queued.push({ kind: 'delete', type, localId: local.id, link });
      return;
    }
    const result = reconcile(mine, remote, base, this.conflicts.options(type, local, record, mine));
    if (result.conflicts.length > 0) await this.conflicts.record(record, local, result.conflicts, mine);
    const localChanges = !sameFields(result.local, mine);
    const remoteChanges = !sameFields(result.remote, remote);
    if (localChanges) {
      const patch = ctx.resource(type).toLocal(result.local, local);
      await this.writeLocal(record, local, patch, link, remote, result.open);
    }
    if (remoteChanges) {
      const current = ctx.scope.get(type, local.id)!;
      ctx.queued.push({
        kind: 'update',
        type,
        localId: local.id,
        link: ctx.links.local(type, local.id) ?? link,
        fields: result.remote,
        before: remote,
        local: ctx.translator.project(type, current) ?? mine,
        open: result.open,
      });
    } else if (!localChanges) {
      if (!ctx.catchingUp) ctx.env.recorder.count(type, 'unchanged');
      // Nothing to do, but remember this version: the next listing of it is skipped.
      const next = nextBase(mine, remote, base, result.open);
      const moved = link.remote_updated_at !== record.updatedAt;
      if (moved || !sameFields(next.remote, base.remote) || !sameFields(next.local, base.local)) {
        ctx.putLink(ctx.withBase({ ...link, remote_updated_at: record.updatedAt, synced_at: ctx.isoNow() }, next));
      }
    }
  }

  private async readTargets(): Promise<RemoteRecord[]> {
    const { ctx } = this;
    const records: RemoteRecord[] = [];
    const read = async (type: SyncedType, remoteId: string, parent?: string) => {
      const value = await ctx.resource(type).get(remoteId, parent);
      if (value) records.push(value);
    };
    for (const target of ctx.filter.remoteTargets()) {
      const type = target.type ?? 'work_items';
      if (!ctx.types.includes(type)) {
        const message = `${type}:${target.remoteId}: a ${ctx.env.connection.kind} connection syncs ${ctx.types.join(', ')}`;
        throw new ValidationError([{ path: 'filters.ids', message }]);
      }
      await read(type, target.remoteId);
    }
    for (const localId of ctx.filter.localTargets()) {
      for (const type of ctx.types) {
        const link = ctx.links.local(type, localId);
        if (link) await read(type, link.remote_id, type === 'comments' ? this.ctx.commentParentRemoteId(localId) : undefined);
      }
    }
    return records;
  }

  /** One type's pulled records; a record whose reference comes later in the list waits for it. */
  private async pullType(type: SyncedType, records: RemoteRecord[]): Promise<void> {
    const { ctx } = this;
    let waiting = records;
    while (waiting.length > 0 && !ctx.stopped()) {
      const later: RemoteRecord[] = [];
      const pending = new Set(waiting.map((r) => r.remoteId));
      for (const record of waiting) {
        if (ctx.stopped()) break;
        const { fields, missing } = ctx.translator.toLocalIds(type, record.fields);
        if (missing.some((m) => m.type === type && pending.has(m.remoteId) && m.remoteId !== record.remoteId)) {
          later.push(record);
          continue;
        }
        pending.delete(record.remoteId);
        await this.pullRecord(record, fields, missing.length > 0);
        ctx.tick();
      }
      if (later.length === waiting.length) {
        // A loop of references among remote records: take them as they are.
        for (const record of later) await this.pullRecord(record, ctx.translator.toLocalIds(type, record.fields).fields, true);
        break;
      }
      waiting = later;
    }
  }

  private async pullRecord(record: RemoteRecord, fields: SyncedFields, unresolved: boolean): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    let link = ctx.links.remote(type, record.remoteId);
    const local = link ? ctx.scope.get(type, link.local_id) : undefined;
    const status = type === 'work_items' ? (ctx.resource(type).toLocal(fields, local).status as string) : undefined;
    if (!ctx.filter.matches(type, local, record, status)) return;
    if (unresolved && ctx.translator.isRequired(type)) {
      // A journal or relation of an issue pm does not sync (another project): not ours.
      ctx.env.recorder.count(type, 'skipped');
      return;
    }
    try {
      link ??= await this.adopt(record, fields);
      if (!link) await this.createLocal(record, fields);
      else await this.mergeLinked(record, fields, link);
    } catch (error) {
      ctx.fail(type, link?.local_id ?? null, record, 'pull', link ? 'update' : 'create', error, 1);
    }
  }

  /** A remote record that is a local one already: created by an earlier run that stopped before linking, or the same on both sides. */
  private async adopt(record: RemoteRecord, fields: SyncedFields): Promise<SyncLink | undefined> {
    const { ctx } = this;
    const { type } = record;
    let local: AnyRecord | undefined = record.pmId ? ctx.scope.get(type, record.pmId) : undefined;
    if (!local && (type === 'sprints' || type === 'dependencies' || type === 'comments')) {
      local = (await this.unlinkedLike(type, fields)).find((r) => {
        if (ctx.links.local(type, r.id)) return false;
        const mine = ctx.translator.project(type, r);
        return mine !== null && (type === 'sprints' ? mine.name === fields.name : sameFields(mine, fields));
      });
    }
    if (!local || ctx.links.local(type, local.id)) return undefined;
    // What the remote holds is what pm last sent: local edits since then still go out.
    const link = ctx.newLink(type, local.id, record, { local: fields, remote: fields });
    if (!ctx.dry) await ctx.env.store.write((tx) => tx.sync.putLink(link));
    ctx.links.set(link);
    ctx.done(type, local.id, record, 'pull', 'link', 1);
    return link;
  }

  /** Local records a remote one without a pm id may be: the project's sprints, or what hangs on the same item. */
  private async unlinkedLike(type: 'sprints' | 'dependencies' | 'comments', fields: SyncedFields): Promise<AnyRecord[]> {
    const { scope } = this.ctx;
    if (type === 'sprints') return scope.sprints();
    const item = type === 'comments' ? fields.work_item_id : fields.blocking;
    if (typeof item !== 'string') return [];
    const found = await scope.fetchOf(type, type === 'comments' ? 'work_item_id' : 'blocking_item_id', [item]);
    await scope.fetchReferences(
      type,
      found.map((r) => r.id),
    );
    return found;
  }

  private async createLocal(record: RemoteRecord, fields: SyncedFields): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    const patch = ctx.resource(type).toLocal(fields, undefined);
    ctx.decided.add(keyOf(type, record.remoteId));
    if (ctx.dry) {
      ctx.translator.planned.set(keyOf(type, record.remoteId), `(new from ${record.remoteId})`);
      ctx.done(type, null, record, 'pull', 'create', 0);
      return;
    }
    const { env } = ctx;
    const created = await env.store.write(async (tx) => {
      const next = await buildLocalRecord(tx, type, patch, {
        projectId: env.projectId,
        firstStatus: env.firstStatus,
        author: ctx.now(),
      });
      await assertLocalInvariants(tx, type, next);
      await tx.insert(type, next as never);
      const link = ctx.newLink(type, next.id, record, { local: ctx.translator.project(type, next) ?? fields, remote: fields });
      await tx.sync.putLink(link);
      return { next, link };
    });
    ctx.scope.put(type, created.next);
    ctx.links.set(created.link);
    ctx.decided.add(keyOf(type, created.next.id));
    ctx.done(type, created.next.id, record, 'pull', 'create', 1);
  }

  /** The remote's values written to the local record, with its link, in one transaction. */
  private async writeLocal(
    record: RemoteRecord,
    local: AnyRecord,
    patch: Record<string, unknown>,
    link: SyncLink,
    remote: SyncedFields,
    open: ReadonlySet<string>,
  ): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    if (ctx.dry) {
      ctx.done(type, local.id, record, 'pull', 'update', 0);
      return;
    }
    const written = await ctx.env.store.write(async (tx) => {
      const current = ((await tx.get(type, local.id)) as AnyRecord | undefined) ?? local;
      const next = patchLocalRecord(type, current, patch, ctx.now()) ?? current;
      await assertLocalInvariants(tx, type, next);
      if (next !== current) await tx.update(type, next as never);
      const moved = {
        ...link,
        remote_updated_at: record.updatedAt,
        remote_url: record.url ?? link.remote_url,
        synced_at: ctx.isoNow(),
      };
      const nextLink = ctx.withBase(moved, nextBase(ctx.translator.project(type, next) ?? {}, remote, baseOf(link), open));
      await tx.sync.putLink(nextLink);
      return { next, link: nextLink };
    });
    ctx.scope.put(type, written.next);
    ctx.links.set(written.link);
    ctx.done(type, local.id, record, 'pull', 'update', 1);
  }
}
