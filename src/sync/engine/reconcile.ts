import type { ConflictStrategy } from '../../domain/index.js';
import type { SyncedFields } from '../connectors/index.js';
import type { LinkBase } from './links.js';

export type Side = 'local' | 'remote';
type Value = SyncedFields[string];

export interface FieldConflict {
  field: string;
  local: Value;
  remote: Value;
  /** The side whose value both now get; null when the strategy is manual and the field waits for a person. */
  winner: Side | null;
}

export interface Reconciliation {
  /** The fields the local record should have. */
  local: SyncedFields;
  /** The fields the remote record should have. */
  remote: SyncedFields;
  conflicts: FieldConflict[];
  /** Fields left in conflict: their base stays, so they stay in conflict until settled. */
  open: Set<string>;
}

export interface ReconcileOptions {
  strategy: ConflictStrategy;
  /** newest_wins: the side that wrote this field last. */
  newer(field: string): Side;
  /** A person already settled this field, with the local value, against this remote value. */
  settled(field: string, remote: Value): boolean;
}

/**
 * Three-way, field by field: a field changed on one side since the base takes that side's
 * value; changed on both to different values, the strategy decides. Each side is compared with
 * its own base, so a value one side cannot represent exactly (three pm statuses on one remote
 * status) is not mistaken for a change.
 */
export function reconcile(local: SyncedFields, remote: SyncedFields, base: LinkBase, options: ReconcileOptions): Reconciliation {
  const out: Reconciliation = { local: { ...local }, remote: { ...remote }, conflicts: [], open: new Set() };
  for (const field of new Set([...Object.keys(local), ...Object.keys(remote)])) {
    const l = local[field] ?? null;
    const r = remote[field] ?? null;
    if (l === r) continue;
    const localChanged = !(field in base.local) || base.local[field] !== l;
    const remoteChanged = !(field in base.remote) || base.remote[field] !== r;
    if (!localChanged && !remoteChanged) continue; // the same value as each side can hold it
    let winner: Side | null;
    if (!localChanged) winner = 'remote';
    else if (!remoteChanged) winner = 'local';
    else {
      winner = options.settled(field, r) ? 'local' : decide(options, field);
      out.conflicts.push({ field, local: l, remote: r, winner });
    }
    if (winner === 'remote') out.local[field] = r;
    else if (winner === 'local') out.remote[field] = l;
    else out.open.add(field);
  }
  return out;
}

function decide(options: ReconcileOptions, field: string): Side | null {
  switch (options.strategy) {
    case 'server_wins':
      return 'remote';
    case 'client_wins':
      return 'local';
    case 'newest_wins':
      return options.newer(field);
    case 'manual':
      return null;
  }
}

/** The base to keep after a sync: what each side now holds, except fields still in conflict. */
export function nextBase(
  local: SyncedFields,
  remote: SyncedFields,
  previous: LinkBase | undefined,
  open: ReadonlySet<string>,
): LinkBase {
  const base: LinkBase = { local: { ...local }, remote: { ...remote } };
  for (const field of open) {
    // No earlier value: leave it out, so the field still reads as changed on both sides.
    if (previous && field in previous.local) base.local[field] = previous.local[field]!;
    else delete base.local[field];
    if (previous && field in previous.remote) base.remote[field] = previous.remote[field]!;
    else delete base.remote[field];
  }
  return base;
}
