import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ENTITY_TYPES,
  SchemaVersionError,
  SnapshotError,
  type AnyRecord,
  type Conflict,
  type EntityType,
  type Project,
  type WorkItem,
} from '../../domain/index.js';
import { canonicalRecord } from '../snapshot/canonical.js';
import { canonicalizeSnapshot } from '../snapshot/canonicalize.js';
import { ID_RE } from '../snapshot/fields.js';
import { SECTIONS, SNAPSHOT_SCHEMA_VERSION, SnapshotWriter } from '../snapshot/layout.js';
import { readSnapshot } from '../snapshot/reader.js';
import { MergeFacts, parseLine, planFileRepairs } from './file-repairs.js';
import { conflictRecord, mergeRecord, type FieldConflict } from './merge-record.js';
import { applyRepair } from './repair-plan.js';

/**
 * Three-way merge of snapshot files, as git's merge driver: base (the common ancestor), ours
 * and theirs in, the merged snapshot out — always valid canonical JSON, never conflict
 * markers. Records are streamed in id order from all three files at once: a record the same
 * on both sides is copied as it is, one changed on one side only is taken from that side (in
 * canonical form), and only records changed on both sides are merged field by field. An input
 * not in pm's layout (sorted or reformatted by hand) is merged through a canonical copy. Then
 * the repairs of an import keep the invariants (see `repair-plan.ts`), and every same-field
 * decision and repair becomes a conflict record in the file, so every clone sees it.
 */

export interface FileMergeResult {
  records: number;
  /** Records both sides changed, merged field by field. */
  merged: number;
  conflicts: number;
  repairs: number;
  renumbered: { key_before: string; key_after: string }[];
}

interface Line {
  type: EntityType;
  /** The section's place in the file (foreign-key order). */
  section: number;
  id: string;
  text: string;
}

/** A file not in pm's layout: records out of id order, an id twice, or not one record per line. */
class NotInLayout extends Error {}

function skipped(label: string, type: EntityType, index: number | undefined, message: string): void {
  process.stderr.write(`pm merge-driver: ${label}: ${type}[${index ?? '?'}] skipped: ${message}\n`);
}

/** A snapshot file in pm's layout as records in (section, id) order; any other file throws `NotInLayout`. */
function* records(path: string, label: string, optional = false): Generator<Line> {
  if (optional && statSync(path).size === 0) return;
  let previous: Line | undefined;
  for (const event of readSnapshot(path, { raw: true })) {
    if (event.kind === 'meta' && event.key === 'schema_version') {
      const version = Number(event.value);
      if (version > SNAPSHOT_SCHEMA_VERSION) throw new SchemaVersionError(label, version, SNAPSHOT_SCHEMA_VERSION);
    } else if (event.kind === 'restart') throw new NotInLayout(label);
    else if (event.kind === 'issue') {
      if (event.issue.entity_type === undefined) throw new SnapshotError(label, [{ path: '', message: event.issue.message }]);
      skipped(label, event.issue.entity_type, event.issue.index, event.issue.message);
    } else if (event.kind === 'record') {
      let id = ID_RE.exec(event.text)?.[1];
      if (id === undefined) {
        try {
          id = (JSON.parse(event.text) as { id?: string } | null)?.id;
        } catch (error) {
          skipped(label, event.type, event.index, `invalid JSON: ${(error as Error).message}`);
          continue;
        }
      }
      if (typeof id !== 'string') continue;
      const line = { type: event.type, section: ENTITY_TYPES.indexOf(event.type), id, text: event.text };
      if (previous && order(previous, line) >= 0) throw new NotInLayout(label);
      previous = line;
      yield line;
    }
  }
}

function order(a: Line, b: Line): number {
  if (a.section !== b.section) return a.section - b.section;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

class Cursor {
  head: Line | undefined;
  constructor(private readonly source: Iterator<Line>) {
    this.advance();
  }
  advance(): void {
    const next = this.source.next();
    this.head = next.done ? undefined : next.value;
  }
  /** The head's text when it has this key (and moves past it). */
  take(key: Line): string | undefined {
    if (this.head && this.head.section === key.section && this.head.id === key.id) {
      const text = this.head.text;
      this.advance();
      return text;
    }
    return undefined;
  }
}

function tempBeside(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}`);
}

function fileSink(path: string) {
  const fd = openSync(path, 'w', 0o644);
  return {
    sink: {
      write: (chunk: Buffer) => {
        writeSync(fd, chunk);
      },
    },
    close: () => {
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}

export async function mergeSnapshotFiles(
  basePath: string,
  oursPath: string,
  theirsPath: string,
  outPath: string,
  label = 'data.json',
): Promise<FileMergeResult> {
  try {
    return await mergeInLayout(basePath, oursPath, theirsPath, outPath, label);
  } catch (error) {
    if (!(error instanceof NotInLayout)) throw error;
  }
  // An input sorted or reformatted by hand (or by another tool): merge pm-layout copies of all three.
  const copies: string[] = [];
  const copy = async (path: string, side: string): Promise<string> => {
    if (statSync(path).size === 0) return path;
    const out = tempBeside(outPath, `canonical-${side}`);
    copies.push(out);
    const name = `${label} (${side})`;
    await canonicalizeSnapshot(path, out, name, (s) => skipped(name, s.entity_type, s.index, s.message));
    return out;
  };
  try {
    const [base, ours, theirs] = [await copy(basePath, 'base'), await copy(oursPath, 'ours'), await copy(theirsPath, 'theirs')];
    return await mergeInLayout(base, ours, theirs, outPath, label);
  } finally {
    for (const path of copies) rmSync(path, { force: true });
  }
}

/**
 * A line a side changed, in canonical form (a hand edit may order keys or space them its own
 * way). A record that is not valid stays as it is, for the import to report.
 */
function inLayout(type: EntityType, text: string, base: string | undefined): string {
  if (text === base) return text;
  const record = parseLine(type, text);
  return record ? canonicalRecord(type, record) : text;
}

async function mergeInLayout(
  basePath: string,
  oursPath: string,
  theirsPath: string,
  outPath: string,
  label: string,
): Promise<FileMergeResult> {
  const base = new Cursor(records(basePath, `${label} (base)`, true));
  const ours = new Cursor(records(oursPath, `${label} (ours)`));
  const theirs = new Cursor(records(theirsPath, `${label} (theirs)`));
  const result: FileMergeResult = { records: 0, merged: 0, conflicts: 0, repairs: 0, renumbered: [] };
  const facts = new MergeFacts();
  const conflicts = new Map<string, Conflict>();
  const addConflict = (type: EntityType, id: string, c: FieldConflict) => {
    const record = conflictRecord(type, id, c);
    conflicts.set(record.id, record);
  };

  // Pass 1: merge record by record into a temporary file, noting what the repairs need.
  const first = tempBeside(outPath, 'merge');
  const firstFile = fileSink(first);
  const written = new Set<string>();
  try {
    const writer = new SnapshotWriter(firstFile.sink);
    const writeConflictsBefore = async (id: string | undefined) => {
      for (const c of [...conflicts.values()]
        .filter((c) => !written.has(c.id) && (id === undefined || c.id < id))
        .sort((x, y) => (x.id < y.id ? -1 : 1))) {
        written.add(c.id);
        const pending = writer.record(canonicalRecord('conflicts', c));
        if (pending) await pending;
      }
    };
    await writer.begin();
    let section = -1;
    for (;;) {
      const heads = [ours.head, theirs.head, base.head].filter((h): h is Line => h !== undefined);
      if (heads.length === 0) break;
      const key = heads.reduce((a, b) => (order(a, b) <= 0 ? a : b));
      while (section < ENTITY_TYPES.indexOf(key.type)) writer.section(SECTIONS[++section]!);
      const o = base.take(key);
      const a = ours.take(key);
      const b = theirs.take(key);
      let text: string | undefined;
      if (a !== undefined && (a === b || b === undefined || b === o)) text = inLayout(key.type, a, o);
      else if (b !== undefined && (a === undefined || a === o)) text = inLayout(key.type, b, o);
      else if (a !== undefined && b !== undefined) {
        const mine = parseLine(key.type, a);
        const yours = parseLine(key.type, b);
        if (!mine || !yours) text = mine ? a : yours ? b : undefined;
        else {
          const merged = mergeRecord(key.type, parseLine(key.type, o), mine, yours);
          for (const c of merged.conflicts) addConflict(key.type, key.id, c);
          text = canonicalRecord(key.type, merged.record);
          result.merged++;
        }
      }
      if (text === undefined) continue;
      facts.note(key.type, text, o);
      result.records++;
      if (key.type === 'conflicts') {
        // Every merge conflict is known by now (conflicts come last): keep the section in id order.
        await writeConflictsBefore(key.id);
        const fresh = conflicts.get(key.id);
        if (fresh) {
          text = canonicalRecord(
            'conflicts',
            mergeRecord('conflicts', undefined, parseLine('conflicts', text) as Conflict, fresh).record,
          );
          written.add(key.id);
        }
      }
      const pending = writer.record(text);
      if (pending) await pending;
    }
    while (section < SECTIONS.length - 1) writer.section(SECTIONS[++section]!);
    await writeConflictsBefore(undefined);
    await writer.end();
  } catch (error) {
    firstFile.close();
    rmSync(first, { force: true });
    throw error;
  }
  firstFile.close();

  // Repairs, decided from the merged records alone: every clone that merges the same files agrees.
  const plan = await planFileRepairs(facts, (ids) => {
    const found = new Map<string, WorkItem>();
    if (ids.size === 0) return found;
    for (const line of records(first, label))
      if (line.type === 'work_items' && ids.has(line.id)) found.set(line.id, parseLine('work_items', line.text) as WorkItem);
    return found;
  });
  result.conflicts = conflicts.size;
  if (plan.repairs.length === 0) {
    renameSync(first, outPath);
    return result;
  }
  result.repairs = plan.repairs.length;
  result.renumbered = plan.renumbered.map((r) => ({ key_before: r.key_before, key_after: r.key_after }));
  const patches = new Map<string, ((record: AnyRecord) => AnyRecord)[]>();
  const patch = (key: string, fn: (record: AnyRecord) => AnyRecord) => patches.set(key, [...(patches.get(key) ?? []), fn]);
  for (const repair of plan.repairs) {
    patch(`${repair.type}:${repair.id}`, (record) => {
      const fixed = applyRepair(record, repair);
      addConflict(repair.type, repair.id, fixed.conflict);
      return fixed.record;
    });
  }
  for (const step of plan.renumbered) {
    patch(`projects:${step.project_id}`, (record) => {
      const project = record as Project;
      return { ...project, next_work_item_number: Math.max(project.next_work_item_number, step.to + 1) };
    });
  }
  // Patches run while reading work items, so their conflicts exist before the conflicts section.
  const second = tempBeside(outPath, 'repair');
  const secondFile = fileSink(second);
  try {
    const writer = new SnapshotWriter(secondFile.sink);
    await writer.begin();
    let section = -1;
    let pendingConflicts: Conflict[] | undefined;
    const flushConflicts = async (upTo?: string) => {
      pendingConflicts ??= [...conflicts.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
      while (pendingConflicts.length > 0 && (upTo === undefined || pendingConflicts[0]!.id < upTo)) {
        const pending = writer.record(canonicalRecord('conflicts', pendingConflicts.shift()!));
        if (pending) await pending;
      }
    };
    for (const line of records(first, label)) {
      while (section < ENTITY_TYPES.indexOf(line.type)) writer.section(SECTIONS[++section]!);
      let text = line.text;
      const fixes = patches.get(`${line.type}:${line.id}`);
      if (fixes)
        text = canonicalRecord(
          line.type,
          fixes.reduce((record, fix) => fix(record), parseLine(line.type, text)!),
        );
      if (line.type === 'conflicts') {
        await flushConflicts(line.id);
        const fresh = conflicts.get(line.id);
        if (fresh) {
          // Already recorded: keep one record, merged.
          text = canonicalRecord(
            'conflicts',
            mergeRecord('conflicts', undefined, parseLine('conflicts', text) as Conflict, fresh).record,
          );
          pendingConflicts = pendingConflicts!.filter((c) => c.id !== line.id);
        }
      }
      const pending = writer.record(text);
      if (pending) await pending;
    }
    while (section < SECTIONS.length - 1) writer.section(SECTIONS[++section]!);
    await flushConflicts();
    await writer.end();
  } finally {
    secondFile.close();
    rmSync(first, { force: true });
  }
  result.conflicts = conflicts.size;
  renameSync(second, outPath);
  return result;
}
