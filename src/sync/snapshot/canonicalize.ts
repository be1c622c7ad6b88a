import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SchemaVersionError, SnapshotError, type AnyRecord, type EntityType } from '../../domain/index.js';
import { mergeRecord } from '../merge/merge-record.js';
import { byId, canonicalRecord } from './canonical.js';
import { SECTIONS, SNAPSHOT_SCHEMA_VERSION, SnapshotWriter } from './layout.js';
import { readSnapshot, type ReadIssue } from './reader.js';
import { normalizeRecord } from './records.js';
import { upgradeRecord } from './upgrade.js';

/** A record left out of a canonical copy, and why. */
export interface SkippedRecord extends ReadIssue {
  entity_type: EntityType;
}

/**
 * Writes the records of a snapshot file to `out` in pm's layout: every record upgraded,
 * normalized and on its own line in canonical form, each section in id order, one record per
 * id (an id that appears twice keeps the two-way merge of its versions, the same whichever
 * comes first). For files pm did not write: sorted or reformatted by hand, or by another tool.
 * Records that are not valid are left out and handed to `onSkip`; a file that cannot be read
 * at all is an error. Holds the records in memory, so it is for the rare file that needs it.
 */
export async function canonicalizeSnapshot(
  path: string,
  out: string,
  label: string,
  onSkip: (skipped: SkippedRecord) => void = () => undefined,
): Promise<void> {
  const sections = new Map<EntityType, Map<string, AnyRecord>>(SECTIONS.map((t) => [t, new Map()]));
  let version = SNAPSHOT_SCHEMA_VERSION;
  for (const event of readSnapshot(path)) {
    if (event.kind === 'meta' && event.key === 'schema_version' && typeof event.value === 'number') {
      if (event.value > SNAPSHOT_SCHEMA_VERSION) throw new SchemaVersionError(label, event.value, SNAPSHOT_SCHEMA_VERSION);
      version = event.value;
    } else if (event.kind === 'issue') {
      const { entity_type } = event.issue;
      if (entity_type === undefined) throw new SnapshotError(label, [{ path: '', message: event.issue.message }]);
      onSkip({ ...event.issue, entity_type });
    } else if (event.kind === 'record') {
      const normalized = normalizeRecord(event.type, upgradeRecord(version, event.type, event.value));
      if (!normalized.ok) {
        const message = normalized.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
        onSkip({ entity_type: event.type, index: event.index, line: event.line, message });
        continue;
      }
      const records = sections.get(event.type)!;
      const record = normalized.record;
      const seen = records.get(record.id);
      records.set(record.id, seen ? mergeRecord(event.type, undefined, seen, record).record : record);
    }
  }
  const temp = join(dirname(out), `.${basename(out)}.canonical-${process.pid}`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    const writer = new SnapshotWriter({ write: (chunk) => void writeSync(fd, chunk) });
    await writer.begin();
    for (const type of SECTIONS) {
      writer.section(type);
      for (const record of [...sections.get(type)!.values()].sort(byId)) await writer.record(canonicalRecord(type, record));
    }
    await writer.end();
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, out);
}
