import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import {
  ENTITIES,
  ENTITY_TYPES,
  NotFoundError,
  SnapshotError,
  StateError,
  type AnyRecord,
  type Conflict,
  type Dependency,
  type EntityType,
  type Project,
  type WorkItem,
} from '../../domain/index.js';
import { fromValues, rowJsonEncoder, type KeyAlias, type Store } from '../../store/index.js';
import { conflictRecord, mergeRecord, type FieldConflict } from '../merge/merge-record.js';
import { runRepairs } from '../merge/repair-plan.js';
import { BaseSnapshot, baseRecord, type BaseLines } from './base.js';
import { columnIndexes } from './columns.js';
import { lineId } from './fields.js';
import { dropWhatTheFileDropped, unchangedSinceFile } from './follow.js';
import { importRepairSite, keepRenumbering, type Touched } from './import-repairs.js';
import { META_EXPORTED_SEQ } from './meta-keys.js';
import { readSnapshot, type SnapshotEvent } from './reader.js';
import { WORKER_MIN_BYTES, canCheckInWorker, checkInWorker, isRejected, type CheckedEntry } from './threaded-check.js';
import { Validator, issueOf } from './validator.js';

export const IMPORT_MODES = ['merge', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface ImportOptions {
  mode?: ImportMode;
  /** Replace even when the database has changes that were never exported. */
  force?: boolean;
  /** Work everything out, write nothing. */
  dryRun?: boolean;
  /** Import the valid records; the invalid ones (and records that need them) are left out. */
  skipInvalid?: boolean;
  /** The snapshot last exchanged with this file's source, for three-way merges. */
  basePath?: string;
  /** Lines of that base in place of its file's (see `BaseSnapshot`). */
  baseLines?: BaseLines;
  /**
   * The file is the repository's tracked snapshot (`.pm/data.json`): what is taken from it as
   * it is, is no local change (it is in the file already). Records from any other file are:
   * the tracked snapshot lacks them until the next export.
   */
  tracked?: boolean;
  /** How the file is named in messages. */
  label?: string;
  onProgress?: (bytesRead: number, size: number) => void;
  /**
   * Check records on a second thread while this one writes: by default for files of
   * `WORKER_MIN_BYTES` or more into a database without work items; true or false to decide.
   */
  worker?: boolean;
}

export interface EntityCounts {
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  deleted: number;
  rejected: number;
}

export interface RejectedRecord {
  entity_type: EntityType;
  index: number;
  line?: number;
  id?: string;
  issues: { field?: string; message: string }[];
}

export interface ImportResult {
  mode: ImportMode;
  dry_run: boolean;
  counts: Record<EntityType, EntityCounts>;
  /** Items whose display number a merge changed because another item had it. */
  renumbered: { id: string; key_before: string; key_after: string }[];
  /** Fixes a merge made to keep invariants (renumbering, cycles, duplicates). */
  repairs: number;
  rejected: RejectedRecord[];
  /** sha256 of the file's bytes. */
  hash: string;
  /** In pm's layout with records in id order: the file can serve as a merge base as it is. */
  canonical: boolean;
}

const BATCH = 500;

/** A record line waiting in a batch: parsed only if it differs from what is stored. */
interface Incoming {
  index: number;
  line: number;
  text: string;
  /** Already parsed (files not in the line layout), else undefined. */
  value: unknown;
}

/** What a batch needs, by line: nothing (unchanged), a merge with the stored record, or an insert. */
interface BatchPlan {
  /** Indexes of lines that need no work. */
  unchanged: Set<number>;
  /** Ids of records the database holds that the batch changes: merged. */
  stored: Set<string>;
  /** Their lines in the base, when there is one. */
  base: Map<string, string>;
}

/** A line that is not JSON: reported once, then skipped. */
const BROKEN = Symbol('broken');

class DryRun extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

/**
 * Imports a snapshot file in one transaction: every record is validated (types, enums, ids,
 * timestamps, references, invariants) and merged with what the database holds; any problem
 * rolls everything back and is reported with all the others. Merge (the default) keeps every
 * local edit that is newer; replace makes the database exactly the file.
 */
export async function importSnapshot(store: Store, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  if (!existsSync(path)) throw new NotFoundError('snapshot file', options.label ?? path);
  const skip = options.skipInvalid ? await findRejects(store, path, options) : undefined;
  // No work items (so no comments, time or dependencies either): a new workspace, which the file fills.
  const bulkLoad = !options.dryRun && (await store.count('work_items', { includeDeleted: true })) === 0;
  try {
    // Every reference is validated before the commit (against the file and the database).
    return await store.write(
      async (tx) => {
        const run = new ImportRun(tx, path, options, skip);
        const result = await run.execute();
        if (options.dryRun) throw new DryRun(result);
        return result;
      },
      { referencesChecked: true, bulkLoad },
    );
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

function emptyCounts(): Record<EntityType, EntityCounts> {
  const counts = {} as Record<EntityType, EntityCounts>;
  for (const type of ENTITY_TYPES) counts[type] = { created: 0, updated: 0, unchanged: 0, conflicts: 0, deleted: 0, rejected: 0 };
  return counts;
}

class ImportRun {
  private readonly counts = emptyCounts();
  private readonly validator: Validator;
  private readonly batches = new Map<EntityType, Incoming[]>();
  private readonly conflicts = new Map<string, Conflict>();
  private readonly emptyTables = new Set<EntityType>();
  private hash = createHash('sha256');
  /** The file's hash as the worker read it, when one did. */
  private workerHash: string | undefined;
  private readonly renumbered: ImportResult['renumbered'] = [];
  private readonly rejected: RejectedRecord[];
  private readonly base: BaseSnapshot | undefined;
  private readonly touched: Touched = { numbers: false, projects: false, dependencies: false, parents: false, containers: false };
  private repairs = 0;
  private readonly mode: ImportMode;
  private section: EntityType | undefined;
  /** How records taken from the file as they are get stamped: local changes unless the file is the tracked snapshot. */
  private readonly taken: { localSeq?: number };
  /** Per type: rows stored before the import, and how many of them the file has. */
  private readonly stored = new Map<EntityType, number>();
  private readonly found = new Map<EntityType, number>();
  /** The local change counter the tracked snapshot includes: rows stamped higher hold edits of their own. */
  private exported = 0;
  /** Old display numbers of items this import renumbered: kept as aliases. */
  private readonly aliases: KeyAlias[] = [];

  constructor(
    private readonly tx: Store,
    private readonly path: string,
    private readonly options: ImportOptions,
    private readonly skip: { indexes: Set<string>; rejected: RejectedRecord[] } | undefined,
  ) {
    this.mode = options.mode ?? 'merge';
    this.taken = options.tracked ? { localSeq: 0 } : {};
    this.validator = new Validator(options.label ?? path);
    this.rejected = skip?.rejected ?? [];
    this.base = this.mode === 'merge' && options.basePath ? new BaseSnapshot(options.basePath, options.baseLines) : undefined;
  }

  async execute(): Promise<ImportResult> {
    try {
      await this.tx.deferForeignKeys();
      if (this.mode === 'replace') await this.clear();
      else {
        this.exported = Number((await this.tx.getMeta(META_EXPORTED_SEQ)) ?? 0);
        for (const type of ENTITY_TYPES) {
          const n = await this.tx.count(type, { includeDeleted: true });
          this.stored.set(type, n);
          if (n === 0) this.emptyTables.add(type);
        }
      }
      const rebuildIndexes = await this.tx.suspendIndexes([...this.emptyTables]);
      if (this.useWorker()) await this.readInWorker();
      else {
        const events = readSnapshot(this.path, {
          raw: true,
          onBytes: (chunk) => this.hash.update(chunk),
          ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
        });
        for (const event of events) await this.handle(event);
      }
      for (const type of ENTITY_TYPES) await this.flush(type);
      if (this.validator.issues.length === 0) await rebuildIndexes();
      await this.validator.finish(this.tx);
      if (this.validator.issues.length > 0) throw this.validator.issues.error();
      if (this.following) {
        const dropped = await dropWhatTheFileDropped(this.tx, this.path, {
          types: ENTITY_TYPES.filter((t) => (this.stored.get(t) ?? 0) > (this.found.get(t) ?? 0)),
          base: this.base?.exists ? this.base : undefined,
          exported: this.exported,
        });
        for (const [type, n] of dropped) this.counts[type].deleted += n;
      }
      if (this.mode === 'merge') {
        const site = importRepairSite(this.tx, this.touched, {
          duplicateNumbers: this.validator.duplicateNumbers,
          repaired: (type, id, conflict) => {
            this.addConflict(type, id, conflict);
            this.repairs++;
          },
        });
        this.renumbered.push(...(await keepRenumbering(this.tx, await runRepairs(site))));
      }
      await this.tx.addAliases(this.aliases);
      await this.writeConflicts();
      for (const r of this.rejected) this.counts[r.entity_type].rejected++;
      return {
        mode: this.mode,
        dry_run: this.options.dryRun ?? false,
        counts: this.counts,
        renumbered: this.renumbered,
        repairs: this.repairs,
        rejected: this.rejected,
        hash: this.workerHash ?? this.hash.digest('hex'),
        canonical: this.validator.canonical,
      };
    } finally {
      this.base?.close();
    }
  }

  /**
   * A take-in of the tracked snapshot: the database follows the file. Records this replica has
   * not changed since the file it last exchanged (the base) become the file's, even when the
   * file's are older (a revert, an older data.json checked out), and records the file dropped
   * go; edits not exported yet are merged on top. See `importSnapshotFile`.
   */
  private get following(): boolean {
    return this.mode === 'merge' && this.options.tracked === true;
  }

  private unchangedSinceFile(type: EntityType, row: unknown[], baseLine: string | undefined): boolean {
    return unchangedSinceFile(type, row, baseLine, { base: this.base?.exists === true, exported: this.exported });
  }

  private useWorker(): boolean {
    if (this.options.worker !== undefined) return this.options.worker;
    // Work items are the bulk of any file: with their table full, the merge has the work.
    return this.emptyTables.has('work_items') && statSync(this.path).size >= WORKER_MIN_BYTES && canCheckInWorker();
  }

  /** Reads the file on a worker thread, which checks the records of empty tables on their own. */
  private async readInWorker(): Promise<void> {
    const label = this.options.label ?? this.path;
    for await (const message of checkInWorker({ path: this.path, label, fresh: [...this.emptyTables] })) {
      switch (message.kind) {
        case 'events':
          for (const event of message.events) await this.handle(event);
          break;
        case 'rows':
          await this.insertChecked(message.type, JSON.parse(message.rows) as CheckedEntry[], message.canonicalLines);
          break;
        case 'progress':
          this.options.onProgress?.(message.bytesRead, message.size);
          break;
        case 'done':
          this.workerHash = message.hash;
          break;
      }
    }
  }

  /**
   * Records of an empty table that the worker checked on their own and encoded as rows: checked
   * here across records, then inserted as they are.
   */
  private async insertChecked(type: EntityType, entries: CheckedEntry[], canonicalLines: boolean): Promise<void> {
    if (this.section !== type && this.section !== undefined) await this.flush(this.section);
    this.section = type;
    const at = columnIndexes(type);
    // Until the store stamps them, a checked row's stamp columns hold its index and line.
    const [indexAt, lineAt] = [at.local_seq!, at.change_seq!];
    const rows: unknown[][] = [];
    for (const entry of entries) {
      if (isRejected(entry)) {
        const [, index, , id, issues] = entry;
        if (!this.skip?.indexes.has(`${type}:${index}`)) this.validator.rejected(type, id ?? undefined, issues);
        continue;
      }
      const [index, line] = [entry[indexAt] as number, entry[lineAt] as number];
      if (this.skip?.indexes.has(`${type}:${index}`)) continue;
      const field = (name: string) => entry[at[name]!];
      if (this.validator.accept(type, index, line, canonicalLines, entry[0] as string, field, true)) rows.push(entry);
    }
    if (this.validator.issues.length > 0) return;
    this.counts[type].created += rows.length;
    await this.tx.insertRows(type, rows, this.taken);
  }

  /** Replace: refuse to drop unexported local changes unless forced, then empty every table. */
  private async clear(): Promise<void> {
    const exported = Number((await this.tx.getMeta(META_EXPORTED_SEQ)) ?? 0);
    const changed: string[] = [];
    for (const type of ENTITY_TYPES) {
      const n = await this.tx.countChangedSince(type, exported);
      if (n > 0) changed.push(`${n} ${type}`);
    }
    if (changed.length > 0 && !this.options.force) {
      throw new StateError(
        'replace_refused',
        `the database has changes that were never exported (${changed.join(', ')}): export them first, or pass --force to discard them`,
        { changed },
      );
    }
    for (const type of ENTITY_TYPES) {
      this.counts[type].deleted = await this.tx.count(type, { includeDeleted: true });
      await this.tx.deleteAll(type);
      this.emptyTables.add(type);
    }
  }

  private async handle(event: SnapshotEvent): Promise<void> {
    switch (event.kind) {
      case 'meta':
        this.validator.meta(event);
        return;
      case 'issue':
        // After the problems of the records before it: every problem is reported in file order.
        if (this.section !== undefined) await this.flush(this.section);
        this.validator.issues.push(issueOf(event.issue));
        return;
      case 'restart':
        // the whole-file read feeds the hash again from the start
        this.hash = createHash('sha256');
        if (this.validator.records > 0) {
          this.validator.issues.push(issueOf({ message: 'the file mixes layouts: some records span several lines' }));
        }
        return;
      case 'record': {
        if (this.skip?.indexes.has(`${event.type}:${event.index}`)) return;
        // Sections come one after the other: batches go in file order, as the base is read.
        if (this.section !== event.type && this.section !== undefined) await this.flush(this.section);
        this.section = event.type;
        const batch = this.batches.get(event.type) ?? [];
        batch.push({ index: event.index, line: event.line, text: event.text, value: event.value });
        this.batches.set(event.type, batch);
        if (batch.length >= BATCH) await this.flush(event.type);
        return;
      }
      default:
        return;
    }
  }

  /**
   * Merges a batch with what the database holds and writes what changed. Lines that need no
   * work (see `compare`) are not even parsed; the others are parsed, validated, and inserted
   * or merged with the stored record.
   */
  private async flush(type: EntityType): Promise<void> {
    const batch = this.batches.get(type);
    if (!batch || batch.length === 0) return;
    this.batches.set(type, []);
    const ids = batch.map((b) => this.idOf(type, b));
    const fresh = this.emptyTables.has(type) || this.validator.issues.length > 0;
    const plan = fresh ? undefined : await this.compare(type, batch, ids);
    const counts = this.counts[type];
    const clean: AnyRecord[] = [];
    const toMerge: AnyRecord[] = [];
    for (let i = 0; i < batch.length; i++) {
      const incoming = batch[i]!;
      if (incoming.value === BROKEN) continue;
      if (plan?.unchanged.has(i)) {
        this.validator.known(type, incoming.index, incoming.line, incoming.text, ids[i]!);
        counts.unchanged++;
        this.found.set(type, (this.found.get(type) ?? 0) + 1);
        continue;
      }
      const theirs = this.validator.record({
        kind: 'record',
        type,
        index: incoming.index,
        line: incoming.line,
        text: incoming.text,
        value: incoming.value,
      });
      if (!theirs || this.validator.issues.length > 0) continue;
      if (plan?.stored.has(theirs.id)) {
        toMerge.push(theirs);
        this.found.set(type, (this.found.get(type) ?? 0) + 1);
      } else {
        clean.push(theirs);
        counts.created++;
        this.touch(type, undefined, theirs);
      }
    }
    const dirty: AnyRecord[] = [];
    if (toMerge.length > 0 && this.validator.issues.length === 0) {
      const at = columnIndexes(type).id!;
      const rows = new Map(
        (
          await this.tx.rowsWithIds(
            type,
            toMerge.map((r) => r.id),
          )
        ).map((row) => [row[at] as string, row]),
      );
      for (const theirs of toMerge) {
        const row = rows.get(theirs.id)!;
        const ours = fromValues(type, row);
        const baseLine = plan!.base.get(theirs.id);
        if (this.following && this.unchangedSinceFile(type, row, baseLine)) {
          counts.updated++;
          clean.push(theirs);
          this.touch(type, ours, theirs);
          continue;
        }
        const merged = mergeRecord(type, baseRecord(type, baseLine), ours, theirs);
        for (const c of merged.conflicts) this.addConflict(type, theirs.id, c);
        if (merged.same) {
          counts.unchanged++;
          continue;
        }
        counts.updated++;
        (merged.taken ? clean : dirty).push(merged.record);
        this.touch(type, ours, merged.record);
      }
    }
    if (this.validator.issues.length > 0) return;
    if (this.emptyTables.has(type)) await this.tx.insertMany(type, clean, this.taken);
    else await this.tx.upsertMany(type, clean, this.taken);
    await this.tx.upsertMany(type, dirty);
  }

  /** The record's id: read off the line when it is in canonical form, else parsed. */
  private idOf(type: EntityType, incoming: Incoming): string | undefined {
    const fast = incoming.value === undefined ? lineId(incoming.text) : undefined;
    if (fast !== undefined) return fast;
    if (incoming.value === undefined) {
      try {
        incoming.value = JSON.parse(incoming.text);
      } catch (error) {
        this.validator.issues.push(
          issueOf({
            entity_type: type,
            index: incoming.index,
            line: incoming.line,
            message: `invalid JSON: ${(error as Error).message}`,
          }),
        );
        incoming.value = BROKEN;
        return undefined;
      }
    }
    const id = (incoming.value as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  }

  /**
   * Which lines of a batch need no work, and which records the database holds. With a base
   * (a three-way merge), a line that is the base's needs none: the other side did not change
   * the record, so what the database holds stands, and only ids are read. (The database holds
   * every record of its base but those an import with --skip-invalid left out: those are
   * looked at.) Without one, a line that is the stored record's JSON needs none. The base is
   * read front to back, once: the lines the merge needs are kept.
   */
  private async compare(type: EntityType, batch: readonly Incoming[], ids: readonly (string | undefined)[]): Promise<BatchPlan> {
    const plan: BatchPlan = { unchanged: new Set(), stored: new Set(), base: new Map() };
    const known = ids.filter((id): id is string => id !== undefined);
    if (known.length === 0) return plan;
    const inOrder = known.every((id, i) => i === 0 || id > known[i - 1]!);
    const base = this.base?.exists ? this.base : undefined;
    let stored: Map<string, string> | Set<string>;
    if (base) {
      stored = inOrder
        ? await this.tx.idsBetween(type, known[0]!, known[known.length - 1]!)
        : new Set((await this.tx.getMany(type, known)).keys());
    } else if (inOrder) stored = await this.tx.jsonBetween(type, known[0]!, known[known.length - 1]!);
    else {
      const encode = rowJsonEncoder(type);
      const at = columnIndexes(type).id!;
      stored = new Map((await this.tx.rowsWithIds(type, known)).map((row) => [row[at] as string, encode(row)]));
    }
    for (let i = 0; i < batch.length; i++) {
      const id = ids[i];
      if (id === undefined || !stored.has(id)) continue;
      const line = base ? base.text(type, id) : (stored as Map<string, string>).get(id);
      if (line === batch[i]!.text) plan.unchanged.add(i);
      else {
        plan.stored.add(id);
        if (line !== undefined && base) plan.base.set(id, line);
      }
    }
    return plan;
  }

  /** Notes which invariants a write could have broken, so repairs look only where needed. */
  private touch(type: EntityType, before: AnyRecord | undefined, after: AnyRecord): void {
    const fresh = this.emptyTables.has(type);
    if (!fresh && (type === 'projects' || type === 'sprints' || type === 'swim_lanes')) this.touched.containers = true;
    if (type === 'work_items') {
      const a = after as WorkItem;
      const b = before as WorkItem | undefined;
      const wasLive = b !== undefined && b.deleted_at === null;
      if (!fresh && a.deleted_at === null && (!wasLive || a.sprint_id !== b.sprint_id)) this.touched.containers = true;
      if (!fresh && a.deleted_at !== null && wasLive) this.touched.dependencies = true;
      // Renumbered elsewhere (a merge driver, another replica): this replica knew it by the old key.
      if (b && b.item_number !== a.item_number && b.project_id === a.project_id)
        this.aliases.push({ project_id: b.project_id, item_number: b.item_number, work_item_id: b.id, created_at: a.updated_at });
      if (!fresh && (!b || b.item_number !== a.item_number)) this.touched.numbers = true;
      if (!fresh && a.parent_id !== null && a.parent_id !== b?.parent_id) this.touched.parents = true;
    }
    // Keys and dependencies can clash only when one is new, revived or changed, not when it is deleted.
    if (type === 'projects' && !fresh && livened(before as Project | undefined, after as Project, ['key']))
      this.touched.projects = true;
    const links: (keyof Dependency)[] = ['dependency_type', 'blocking_item_id', 'blocked_item_id'];
    if (type === 'dependencies' && !fresh && livened(before as Dependency | undefined, after as Dependency, links))
      this.touched.dependencies = true;
  }

  private addConflict(type: EntityType, recordId: string, c: FieldConflict): void {
    const record = conflictRecord(type, recordId, c);
    this.conflicts.set(record.id, record);
    this.counts[type].conflicts++;
  }

  /** Conflicts seen before (by another replica or an earlier import) merge with the new ones. */
  private async writeConflicts(): Promise<void> {
    if (this.conflicts.size === 0) return;
    const existing = await this.tx.getMany('conflicts', [...this.conflicts.keys()]);
    const records: Conflict[] = [];
    for (const conflict of this.conflicts.values()) {
      const known = existing.get(conflict.id);
      if (!known) records.push(conflict);
      else {
        const merged = mergeRecord('conflicts', undefined, known, conflict);
        if (!merged.same) records.push(merged.record);
      }
    }
    await this.tx.upsertMany('conflicts', records);
  }
}

/** Whether a write leaves a live record that was not live before, or changes one of `fields` of it. */
function livened<R extends AnyRecord>(before: R | undefined, after: R, fields: readonly (keyof R)[]): boolean {
  if (after.deleted_at !== null) return false;
  if (!before || before.deleted_at !== null) return true;
  return fields.some((f) => before[f] !== after[f]);
}

/** The first pass of --skip-invalid: which records to leave out, including those that need them. */
async function findRejects(
  store: Store,
  path: string,
  options: ImportOptions,
): Promise<{ indexes: Set<string>; rejected: RejectedRecord[] }> {
  // Every problem is kept: each names a record to leave out.
  const validator = new Validator(options.label ?? path, Infinity);
  const refs: { type: EntityType; index: number; id: string; target: string }[] = [];
  const indexOf = new Map<string, { type: EntityType; index: number; line: number }>();
  for (const event of readSnapshot(path)) {
    if (event.kind === 'meta') validator.meta(event);
    else if (event.kind === 'issue') validator.issues.push(issueOf(event.issue));
    else if (event.kind === 'record') {
      const record = validator.record(event);
      if (!record) continue;
      indexOf.set(`${event.type}:${record.id}`, { type: event.type, index: event.index, line: event.line });
      for (const ref of ENTITIES[event.type].references) {
        const target = (record as unknown as Record<string, unknown>)[ref.field];
        if (typeof target === 'string')
          refs.push({ type: event.type, index: event.index, id: record.id, target: `${ref.target}:${target}` });
      }
    }
  }
  await store.read((tx) => validator.finish(tx));
  const rejected = new Map<string, RejectedRecord>();
  for (const issue of validator.issues) {
    if (issue.entity_type === undefined || issue.index === undefined) {
      if (issue.message.includes('schema_version') || issue.message.includes('truncated') || issue.message.includes('empty')) {
        throw new SnapshotError(options.label ?? path, [issue]);
      }
      continue;
    }
    const key = `${issue.entity_type}:${issue.index}`;
    const entry = rejected.get(key) ?? {
      entity_type: issue.entity_type as EntityType,
      index: issue.index,
      ...(issue.line ? { line: issue.line } : {}),
      ...(issue.id ? { id: issue.id } : {}),
      issues: [],
    };
    entry.issues.push({ ...(issue.field ? { field: issue.field } : {}), message: issue.message });
    rejected.set(key, entry);
  }
  // Records that need a rejected record go too, until nothing more needs to go.
  const gone = new Set([...rejected.values()].filter((r) => r.id).map((r) => `${r.entity_type}:${r.id}`));
  for (let changed = true; changed;) {
    changed = false;
    for (const ref of refs) {
      const self = `${ref.type}:${ref.id}`;
      if (gone.has(self) || !gone.has(ref.target)) continue;
      gone.add(self);
      const where = indexOf.get(self)!;
      rejected.set(`${ref.type}:${ref.index}`, {
        entity_type: ref.type,
        index: ref.index,
        ...(where.line ? { line: where.line } : {}),
        id: ref.id,
        issues: [{ message: `refers to ${ref.target.replace(':', ' ')}, which is rejected` }],
      });
      changed = true;
    }
  }
  return {
    indexes: new Set(rejected.keys()),
    rejected: [...rejected.values()].sort(
      (a, b) => ENTITY_TYPES.indexOf(a.entity_type) - ENTITY_TYPES.indexOf(b.entity_type) || a.index - b.index,
    ),
  };
}
