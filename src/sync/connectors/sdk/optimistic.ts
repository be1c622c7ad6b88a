import { RemoteError } from '../../../domain/index.js';
import type { RemoteRecord, SyncedFields } from './records.js';

export interface OptimisticUpdate<V> {
  /** What is written, for messages: `work package 12`. */
  what: string;
  /** The tracker's name, for messages. */
  tracker: string;
  /** The synced fields the remote holds for this record. */
  keys: readonly string[];
  /** What the remote should hold, and what it held when pm last saw it. */
  fields: SyncedFields;
  before: SyncedFields | undefined;
  /** The record as it is now with the version a write must name (lockVersion, rev); null when it is gone. */
  read(): Promise<{ record: RemoteRecord; version: V } | null>;
  /** Writes these fields against that version: the record after, or 'stale' when the version moved. */
  write(changes: readonly string[], version: V): Promise<RemoteRecord | 'stale'>;
  /** The record is gone (a confirmed deletion). */
  gone(): Error;
}

/**
 * An update for trackers that lock optimistically: read the record and its version, write only
 * the fields pm changes against that version, and when the version moved in between (409, 412)
 * read again and write again. A field someone else changed since pm last saw it is refused, not
 * overwritten: the run records a conflict item, and the next run merges it three-way.
 */
export async function updateOptimistically<V>(u: OptimisticUpdate<V>): Promise<RemoteRecord> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const now = await u.read();
    if (!now) throw u.gone();
    const current = now.record.fields;
    const wanted = u.keys.filter((k) => u.before === undefined || u.fields[k] !== u.before[k]);
    const clash = wanted.filter((k) => u.before !== undefined && current[k] !== u.before[k] && current[k] !== u.fields[k]);
    if (clash.length > 0)
      throw new RemoteError(`${u.what}: ${clash.join(', ')} changed in ${u.tracker} since pm read it; the next run merges it`, {
        status: 409,
        retryable: false,
      });
    const changes = wanted.filter((k) => current[k] !== u.fields[k]);
    if (changes.length === 0) return now.record;
    const written = await u.write(changes, now.version);
    if (written !== 'stale') return written;
  }
  throw new RemoteError(`${u.what} kept changing in ${u.tracker} while pm wrote it`, { status: 409, retryable: true });
}
