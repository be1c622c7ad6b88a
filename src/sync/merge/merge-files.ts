import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ENTITY_TYPES,
  SchemaVersionError,
  SnapshotError,
  formatItemKey,
  type AnyRecord,
  type Conflict,
  type Dependency,
  type EntityType,
  type NumberedItem,
  type Project,
  type WorkItem,
} from '../../domain/index.js';
import { canonicalRecord } from '../snapshot/canonical.js';
import { canonicalizeSnapshot } from '../snapshot/canonicalize.js';
import { ID_RE } from '../snapshot/fields.js';
import { SECTIONS, SNAPSHOT_SCHEMA_VERSION, SnapshotWriter } from '../snapshot/layout.js';
import { readSnapshot } from '../snapshot/reader.js';
import { normalizeRecord } from '../snapshot/records.js';
import { conflictRecord, mergeRecord, type FieldConflict } from './merge-record.js';
import {
  latest,
  parentLink,
  parentLoops,
  planDependencyRepairs,
  planParentRepairs,
  planProjectKeys,
  planRenumbering,
  repairConflict,
  repairWrite,
  type ParentLink,
} from './repairs.js';

/**
 * Three-way merge of snapshot files, as git's merge driver: base (the common ancestor), ours
 * and theirs in, the merged snapshot out — always valid canonical JSON, never conflict
 * markers. Records are streamed in id order from all three files at once: a record the same
 * on both sides, or changed on one side only, is copied as it is; only records changed on both
 * sides are parsed and merged field by field. Then the same repairs as an import keep the
 * invariants (unique display keys, no blocks or parent cycles), and every same-field decision
 * becomes a conflict record in the file, so every clone sees it.
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

function parse(type: EntityType, text: string | undefined): AnyRecord | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const normalized = normalizeRecord(type, value);
  return normalized.ok ? normalized.record : undefined;
}

// Canonical lines start with these fields in this order: one anchored match reads them all.
const ITEM_HEAD =
  /^\{"id":"([^"]+)","project_id":"([^"]+)","parent_id":(?:null|"([^"]+)"),"item_type":"[a-z]+","item_number":(\d+)/;
const DEPENDENCY_HEAD =
  /^\{"id":"([^"]+)","blocking_item_id":"([^"]+)","blocked_item_id":"([^"]+)","dependency_type":"([a-z_]+)"/;
const TIMES = /"created_at":"([^"]+)","updated_at":"([^"]+)","deleted_at":(?:null|"([^"]+)")/;

/** What the repairs need to know about the merged records, kept small: no record bodies. */
class Facts {
  readonly items: (NumberedItem & { updated_at: string })[] = [];
  readonly parents: { id: string; parent_id: string }[] = [];
  readonly dependencies: Dependency[] = [];
  readonly projects: Project[] = [];
  /** Whether the merge set a parent or brought a live dependency that the base did not have. */
  parentsChanged = false;
  dependenciesChanged = false;

  note(type: EntityType, text: string, base: string | undefined): void {
    if (type === 'work_items') {
      const head = ITEM_HEAD.exec(text);
      const times = TIMES.exec(text);
      if (!head || !times) return this.noteParsed(type, text, base);
      const [, id, project, parent, number] = head;
      this.items.push({
        id: id!,
        project_id: project!,
        item_number: Number(number),
        created_at: times[1]!,
        updated_at: times[2]!,
      });
      if (parent !== undefined) {
        this.parents.push({ id: id!, parent_id: parent });
        if (text !== base && (base === undefined || ITEM_HEAD.exec(base)?.[3] !== parent)) this.parentsChanged = true;
      }
    } else if (type === 'dependencies') {
      const head = DEPENDENCY_HEAD.exec(text);
      const times = TIMES.exec(text);
      if (!head || !times) return this.noteParsed(type, text, base);
      if (times[3] !== undefined) return;
      const [, id, blocking, blocked, kind] = head;
      this.dependencies.push({
        id,
        blocking_item_id: blocking,
        blocked_item_id: blocked,
        dependency_type: kind,
        created_at: times[1],
        updated_at: times[2],
        deleted_at: null,
      } as Dependency);
      if (text !== base && (base === undefined || TIMES.exec(base)?.[3] !== undefined)) this.dependenciesChanged = true;
    } else if (type === 'projects') {
      const project = parse('projects', text) as Project | undefined;
      if (project) this.projects.push(project);
    }
  }

  /** Lines not in canonical form (foreign files): read the slow way. */
  private noteParsed(type: EntityType, text: string, base: string | undefined): void {
    const record = parse(type, text);
    if (!record) return;
    this.parentsChanged ||= text !== base;
    this.dependenciesChanged ||= text !== base;
    this.note(type, canonicalRecord(type, record), base === undefined ? undefined : '');
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
  const record = parse(type, text);
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
  const facts = new Facts();
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
        const mine = parse(key.type, a);
        const yours = parse(key.type, b);
        if (!mine || !yours) text = mine ? a : yours ? b : undefined;
        else {
          const merged = mergeRecord(key.type, parse(key.type, o), mine, yours);
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
            mergeRecord('conflicts', undefined, parse('conflicts', text) as Conflict, fresh).record,
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
  const patches = new Map<string, (record: AnyRecord) => AnyRecord>();
  const holders = new Map<string, number>();
  for (const i of facts.items)
    holders.set(`${i.project_id}:${i.item_number}`, (holders.get(`${i.project_id}:${i.item_number}`) ?? 0) + 1);
  const collisions = facts.items.filter((i) => holders.get(`${i.project_id}:${i.item_number}`)! > 1);
  if (collisions.length > 0) {
    const highest = new Map<string, number>();
    for (const i of facts.items) highest.set(i.project_id, Math.max(highest.get(i.project_id) ?? 0, i.item_number));
    const keys = new Map(facts.projects.map((p) => [p.id, p.key]));
    for (const step of planRenumbering(collisions, highest)) {
      const at = latest(
        ...collisions.filter((c) => c.project_id === step.project_id && c.item_number === step.from).map((c) => c.updated_at),
      );
      const key = keys.get(step.project_id) ?? '?';
      patches.set(`work_items:${step.id}`, (record) => {
        const fixed = repairWrite(record as WorkItem, { item_number: step.to }, at);
        addConflict(
          'work_items',
          step.id,
          repairConflict(
            'item_number',
            step.from,
            step.to,
            `${formatItemKey(key, step.from)} was also minted by another clone; the earlier-created item keeps it`,
            fixed.updated_at,
          ),
        );
        return fixed;
      });
      result.renumbered.push({ key_before: formatItemKey(key, step.from), key_after: formatItemKey(key, step.to) });
      const project = facts.projects.find((p) => p.id === step.project_id);
      if (project) {
        const counter = Math.max(project.next_work_item_number, step.to + 1);
        const previous = patches.get(`projects:${project.id}`);
        patches.set(`projects:${project.id}`, (record) => {
          const r = (previous ? previous(record) : record) as Project;
          return { ...r, next_work_item_number: Math.max(r.next_work_item_number, counter) };
        });
      }
    }
  }
  for (const { project, key } of planProjectKeys(facts.projects)) {
    const previous = patches.get(`projects:${project.id}`);
    patches.set(`projects:${project.id}`, (record) => {
      const r = (previous ? previous(record) : record) as Project;
      const fixed = repairWrite(r, { key }, r.updated_at);
      addConflict(
        'projects',
        project.id,
        repairConflict('key', project.key, key, `key ${project.key} was taken by an earlier project`, fixed.updated_at),
      );
      return fixed;
    });
  }
  for (const repair of facts.dependenciesChanged ? planDependencyRepairs(facts.dependencies) : []) {
    patches.set(`dependencies:${repair.dependency.id}`, (record) => {
      const d = record as Dependency;
      const fixed = repairWrite(d, { deleted_at: new Date(Date.parse(d.updated_at) + 1).toISOString() }, d.updated_at);
      if (repair.reason === 'cycle') {
        addConflict(
          'dependencies',
          d.id,
          repairConflict(
            'deleted_at',
            null,
            fixed.deleted_at,
            `deleted: with the other side's dependencies it closed a blocks cycle (${repair.cycle!.map(([from]) => from).join(' → ')})`,
            fixed.updated_at,
          ),
        );
      }
      return fixed;
    });
  }
  const loops = facts.parentsChanged ? parentLoops(facts.parents) : [];
  const loopMembers = new Set(loops.flat());

  // Pass 2 (only when something needs fixing): rewrite the patched records, add their conflicts.
  result.conflicts = conflicts.size;
  if (patches.size === 0 && loops.length === 0) {
    renameSync(first, outPath);
    return result;
  }
  const members = new Map<string, WorkItem>();
  if (loops.length > 0) {
    for (const line of records(first, label))
      if (line.type === 'work_items' && loopMembers.has(line.id))
        members.set(line.id, parse('work_items', line.text) as WorkItem);
    const links = [...members.values()].map(parentLink).filter((l): l is ParentLink => l !== undefined);
    for (const cut of planParentRepairs(links)) {
      patches.set(`work_items:${cut.id}`, (record) => {
        const item = record as WorkItem;
        const fixed = repairWrite(item, { parent_id: null }, item.updated_at);
        addConflict(
          'work_items',
          item.id,
          repairConflict(
            'parent_id',
            item.parent_id,
            null,
            "cleared: with the other side's edits the parent chain looped back to this item",
            fixed.updated_at,
          ),
        );
        return fixed;
      });
    }
  }
  result.repairs = patches.size;
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
      const patch = patches.get(`${line.type}:${line.id}`);
      if (patch) text = canonicalRecord(line.type, patch(parse(line.type, text)!));
      if (line.type === 'conflicts') {
        await flushConflicts(line.id);
        const fresh = conflicts.get(line.id);
        if (fresh) {
          // Already recorded: keep one record, merged.
          text = canonicalRecord(
            'conflicts',
            mergeRecord('conflicts', undefined, parse('conflicts', text) as Conflict, fresh).record,
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
