import { newId, type AnyRecord, type Conflict } from '../../domain/index.js';
import type { RemoteRecord, SyncedFields, SyncedType } from '../connectors/index.js';
import type { ReconcileOptions, FieldConflict, Side } from './reconcile.js';
import type { RunContext } from './run-context.js';

type Value = SyncedFields[string];

/**
 * Same-field conflicts between pm and the remote: decided by the connection's strategy,
 * recorded for `pm conflicts` (once per distinct pair of values), and settled by a person with
 * `pm conflicts resolve` — after which the local value stands against that remote value.
 */
export class SyncConflicts {
  private constructor(
    private readonly ctx: RunContext,
    private readonly known: Conflict[],
  ) {}

  static async load(ctx: RunContext): Promise<SyncConflicts> {
    const all = await ctx.env.store.list('conflicts', { includeDeleted: false });
    return new SyncConflicts(
      ctx,
      all.filter((c) => c.reason.startsWith(reasonOf(ctx.name, ''))),
    );
  }

  /** How `reconcile` asks about one record. */
  options(type: SyncedType, local: AnyRecord, record: RemoteRecord, mine: SyncedFields): ReconcileOptions {
    return {
      strategy: this.ctx.env.connection.strategy,
      newer: (field) => this.newerSide(type, local, record, field),
      settled: (field, value) => this.settled(type, local, field, value, mine),
    };
  }

  async record(record: RemoteRecord, local: AnyRecord, conflicts: FieldConflict[], mine: SyncedFields): Promise<void> {
    const { ctx } = this;
    const { type } = record;
    for (const conflict of conflicts) {
      const kept = conflict.winner === null ? 'left for pm conflicts' : `${conflict.winner} kept`;
      ctx.env.recorder.item({
        ...ctx.report(type, local.id, record, 'pull', 'conflict', 0),
        error: `${conflict.field}: pm has ${JSON.stringify(conflict.local)}, ${ctx.env.connection.kind} has ${JSON.stringify(conflict.remote)}; ${kept}`,
      });
      if (ctx.dry) continue;
      const pmField = this.pmField(type, conflict.field);
      const ours = scalar((local as unknown as Record<string, unknown>)[pmField]);
      const theirs = this.pmValue(type, local, mine, conflict.field, conflict.remote);
      const reason = reasonOf(ctx.name, conflict.field);
      const same = (c: Conflict) =>
        c.record_id === local.id &&
        c.reason === reason &&
        c.resolution === null &&
        c.ours_value === ours &&
        c.theirs_value === theirs;
      if (this.known.some(same)) continue;
      const at = ctx.isoNow();
      const entry: Conflict = {
        id: newId(),
        entity_type: type,
        record_id: local.id,
        field: pmField,
        ours_value: ours,
        theirs_value: theirs,
        winner: conflict.winner === 'remote' ? 'theirs' : 'ours',
        reason,
        detected_at: at,
        resolution: null,
        resolved_value: null,
        version: 1,
        created_by: ctx.author.actor,
        updated_by: ctx.author.actor,
        created_at: at,
        updated_at: at,
        deleted_at: null,
        field_updated_at: {},
      };
      await ctx.env.store.write((tx) => tx.insert('conflicts', entry));
      this.known.push(entry);
    }
  }

  private pmField(type: SyncedType, field: string): string {
    return this.ctx.resource(type).localFields[field] ?? field;
  }

  /** newest_wins: pm's clock on the field against the remote's last change of the record (whole seconds). */
  private newerSide(type: SyncedType, local: AnyRecord, record: RemoteRecord, field: string): Side {
    const localAt = (local.field_updated_at[this.pmField(type, field)] ?? local.created_at).slice(0, 19);
    const remoteAt = (record.updatedAt ?? '').slice(0, 19);
    return remoteAt >= localAt ? 'remote' : 'local';
  }

  private settled(type: SyncedType, local: AnyRecord, field: string, remote: Value, mine: SyncedFields): boolean {
    const pmField = this.pmField(type, field);
    const theirs = this.pmValue(type, local, mine, field, remote);
    const reason = reasonOf(this.ctx.name, field);
    return this.known.some(
      (c) =>
        c.record_id === local.id &&
        c.field === pmField &&
        c.resolution !== null &&
        c.reason === reason &&
        c.theirs_value === theirs,
    );
  }

  /** A synced field's value in pm's terms (what the local record would hold with it). */
  private pmValue(type: SyncedType, local: AnyRecord, mine: SyncedFields, field: string, value: Value): Conflict['theirs_value'] {
    const patch = this.ctx.resource(type).toLocal({ ...mine, [field]: value }, local);
    return scalar(patch[this.pmField(type, field)]);
  }
}

function reasonOf(connection: string, field: string): string {
  return `sync:${connection}:${field}`;
}

function scalar(value: unknown): Conflict['theirs_value'] {
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? JSON.stringify(value) : (value as Conflict['theirs_value']);
}
