import {
  ENTITIES,
  ENTITY_TYPES,
  SchemaVersionError,
  SnapshotError,
  planCycleBreaks,
  type AnyRecord,
  type Edge,
  type EntityType,
  type ErrorIssue,
  type WorkItem,
} from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { fieldOf } from './fields.js';
import { GrowingInt32, IdTable } from './id-table.js';
import { SNAPSHOT_SCHEMA_VERSION } from './layout.js';
import type { ReadIssue, SnapshotEvent } from './reader.js';
import { normalizeRecord } from './records.js';
import { upgradeRecord } from './upgrade.js';

/** A reference to a record the file had not shown yet when the reference was read. */
interface PendingRef {
  type: EntityType;
  index: number;
  line: number;
  id: string;
  field: string;
  target: EntityType;
  targetId: string;
}

/** A problem with a file, as the error reports it: where (type[index].field, line, id) and what. */
export function issueOf(issue: ReadIssue & { id?: string; field?: string }): ErrorIssue {
  const where = issue.entity_type !== undefined ? `${issue.entity_type}[${issue.index ?? '?'}]` : '';
  return {
    path: `${where}${issue.field ? `${where ? '.' : ''}${issue.field}` : ''}`,
    message: `${issue.line ? `line ${issue.line}: ` : ''}${issue.id ? `id ${issue.id}: ` : ''}${issue.message}`,
    ...(issue.entity_type !== undefined ? { entity_type: issue.entity_type } : {}),
    ...(issue.index !== undefined ? { index: issue.index } : {}),
    ...(issue.id !== undefined ? { id: issue.id } : {}),
    ...(issue.field !== undefined ? { field: issue.field } : {}),
    ...(issue.line ? { line: issue.line } : {}),
  };
}

/** How many problems an import lists before it stops reading. */
export const MAX_REPORTED_ISSUES = 1000;

/**
 * The problems found so far. One more than `cap` refuses the file at once: a file of
 * millions of bad records costs no more time or memory than one of a thousand.
 */
export class IssueList implements Iterable<ErrorIssue> {
  private readonly kept: ErrorIssue[] = [];

  constructor(
    private readonly file: string,
    private readonly cap = MAX_REPORTED_ISSUES,
  ) {}

  get length(): number {
    return this.kept.length;
  }

  /** Throws the SnapshotError with the first `cap` problems when there are more. */
  push(...issues: readonly ErrorIssue[]): void {
    for (const issue of issues) {
      if (this.kept.length === this.cap) throw new SnapshotError(this.file, this.kept, { more: true });
      this.kept.push(issue);
    }
  }

  /** Takes out the problems pushed since there were `start`. */
  splice(start: number): ErrorIssue[] {
    return this.kept.splice(start);
  }

  [Symbol.iterator](): Iterator<ErrorIssue> {
    return this.kept[Symbol.iterator]();
  }

  /** The error that refuses the file. */
  error(): SnapshotError {
    return new SnapshotError(this.file, this.kept);
  }
}

/** Whether a record was read from its own line in pm's layout (line 0: another layout). */
export function canonicalLine(line: number, text: string): boolean {
  return line !== 0 && text.startsWith('{"id":"');
}

/**
 * Validation shared by both passes: one record at a time, then the checks that need them all.
 * What it keeps of each record is small and mostly in typed arrays (see `IdTable`): a file of
 * 300,000 items is checked in tens of megabytes.
 */
export class Validator {
  readonly issues: IssueList;
  /** The ids of each type the file has shown (and, for items, the parents they name). */
  private readonly seen = new Map<EntityType, IdTable>(ENTITY_TYPES.map((t) => [t, new IdTable()]));
  /** Every valid record's id, whatever its type, and by id index 1 + the type's number: an id names one record. */
  private readonly everyId = new IdTable();
  private readonly typeOfId = new GrowingInt32();
  readonly pending: PendingRef[] = [];
  /** By item index (in `seen`): 1 + the project's number, for items of the file; 0 for others. */
  private readonly itemProject = new GrowingInt32();
  private readonly projectIndex = new Map<string, number>();
  private readonly projectIds: string[] = [];
  /** By item index: 1 + the index of its parent, for items of the file with a parent, to find loops. */
  private readonly parentOf = new GrowingInt32();
  /** Indexes of the items with a parent, in file order. */
  private readonly children = new GrowingInt32();
  /** Parent links whose parent was not seen yet: checked at the end. */
  private readonly pendingParents: { id: string; parent: string; project: number; index: number; line: number }[] = [];
  private readonly numbers = new Map<number, Set<number>>();
  readonly fileBlocks: (Edge & { index: number; line: number })[] = [];
  duplicateNumbers = false;
  version: number | undefined;
  records = 0;
  canonical = true;
  private lastId = new Map<EntityType, string>();

  /** `maxIssues`: how many problems to take before refusing the file. */
  constructor(
    private readonly label: string,
    maxIssues = MAX_REPORTED_ISSUES,
  ) {
    this.issues = new IssueList(label, maxIssues);
  }

  meta(event: Extract<SnapshotEvent, { kind: 'meta' }>): void {
    if (event.key !== 'schema_version') return;
    const v = event.value;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      this.issues.push(
        issueOf({ line: event.line, field: 'schema_version', message: `expected a whole number ≥ 1, got ${JSON.stringify(v)}` }),
      );
      return;
    }
    if (v > SNAPSHOT_SCHEMA_VERSION) throw new SchemaVersionError(this.label, v, SNAPSHOT_SCHEMA_VERSION);
    this.version = v;
  }

  private projectNumber(id: string): number {
    let n = this.projectIndex.get(id);
    if (n === undefined) {
      n = this.projectIds.length;
      this.projectIds.push(id);
      this.projectIndex.set(id, n);
    }
    return n;
  }

  /** Checks one record; returns it normalized when it is valid, alone and with those read before. */
  record(event: Extract<SnapshotEvent, { kind: 'record' }>): AnyRecord | undefined {
    const { type, index, line } = event;
    const record = this.check(type, index, line, event.text, event.value);
    if (!record) return undefined;
    const fields = record as unknown as Record<string, unknown>;
    const canonical = canonicalLine(line, event.text);
    return this.accept(type, index, line, canonical, record.id, (field) => fields[field], true) ? record : undefined;
  }

  /**
   * The checks of a record on its own: JSON, then the schema of the file's version (upgraded to
   * this pm's). Returns it normalized, or undefined with the problems in `issues`.
   */
  check(type: EntityType, index: number, line: number, text: string, value: unknown): AnyRecord | undefined {
    if (this.version === undefined) {
      this.records++;
      if (this.records === 1) this.issues.push(issueOf({ line, message: 'schema_version must come before the first record' }));
      return undefined;
    }
    let raw = value as Record<string, unknown> | null | undefined;
    if (raw === undefined) {
      try {
        raw = JSON.parse(text) as Record<string, unknown> | null;
      } catch (error) {
        this.records++;
        this.issues.push(issueOf({ entity_type: type, index, line, message: `invalid JSON: ${(error as Error).message}` }));
        return undefined;
      }
    }
    const normalized = normalizeRecord(type, upgradeRecord(this.version, type, raw));
    if (normalized.ok) return normalized.record;
    this.records++;
    const rawId = raw && typeof raw === 'object' && typeof raw.id === 'string' ? raw.id : undefined;
    for (const i of normalized.issues)
      this.issues.push(
        issueOf({ entity_type: type, index, line, ...(rawId ? { id: rawId } : {}), field: i.field, message: i.message }),
      );
    if (rawId) this.seen.get(type)!.add(rawId);
    return undefined;
  }

  /** A record that `check` found invalid on another thread: its problems there, and the id it had. */
  rejected(type: EntityType, rawId: string | undefined, issues: readonly ErrorIssue[]): void {
    this.records++;
    this.issues.push(...issues);
    if (rawId) this.seen.get(type)!.add(rawId);
  }

  /**
   * The checks across records, for a record valid on its own (`field` reads its fields): a
   * duplicate id, references to records not read yet (checked by `finish`), display numbers,
   * parents, blocks edges. False when it is a duplicate.
   */
  accept(
    type: EntityType,
    index: number,
    line: number,
    canonicalLine: boolean,
    id: string,
    field: (name: string) => unknown,
    references: boolean,
  ): boolean {
    this.records++;
    const ids = this.seen.get(type)!;
    if (ids.has(id)) {
      this.issues.push(
        issueOf({ entity_type: type, index, line, id, field: 'id', message: 'duplicate id: this record appears more than once' }),
      );
      return false;
    }
    ids.add(id);
    const at = this.everyId.intern(id);
    const other = this.typeOfId.at(at);
    if (other > 0) {
      const message = `id already used by a record of ${ENTITY_TYPES[other - 1]}: ids are unique across every type`;
      this.issues.push(issueOf({ entity_type: type, index, line, id, field: 'id', message }));
      return false;
    }
    this.typeOfId.set(at, ENTITY_TYPES.indexOf(type) + 1);
    const last = this.lastId.get(type);
    if (last !== undefined && id <= last) this.canonical = false;
    this.lastId.set(type, id);
    if (!canonicalLine) this.canonical = false;
    if (references) {
      for (const ref of ENTITIES[type].references) {
        const target = field(ref.field);
        if (typeof target === 'string' && !this.seen.get(ref.target)!.has(target))
          this.pending.push({ type, index, line, id, field: ref.field, target: ref.target, targetId: target });
      }
    }
    if (type === 'work_items') {
      const item = {
        id,
        project_id: field('project_id') as string,
        parent_id: field('parent_id') as string | null,
        item_number: field('item_number') as number,
      };
      this.item(item, index, line);
    } else if (type === 'dependencies' && field('dependency_type') === 'blocks' && field('deleted_at') === null) {
      const [from, to, created] = [field('blocking_item_id'), field('blocked_item_id'), field('created_at')] as string[];
      this.fileBlocks.push({ id, from: from!, to: to!, created_at: created!, index, line });
    }
    return true;
  }

  /** A record identical to the stored one: valid already, only noted for the checks across records. */
  known(type: EntityType, index: number, line: number, json: string, id: string): void {
    this.accept(type, index, line, true, id, (field) => fieldOf(json, field), false);
  }

  private item(item: Pick<WorkItem, 'id' | 'project_id' | 'parent_id' | 'item_number'>, index: number, line: number): void {
    const project = this.projectNumber(item.project_id);
    const items = this.seen.get('work_items')!;
    const at = items.indexOf(item.id);
    this.itemProject.set(at, project + 1);
    let numbers = this.numbers.get(project);
    if (!numbers) this.numbers.set(project, (numbers = new Set()));
    if (numbers.has(item.item_number)) this.duplicateNumbers = true;
    numbers.add(item.item_number);
    if (item.parent_id === null) return;
    const parent = items.intern(item.parent_id);
    this.parentOf.set(at, parent + 1);
    this.children.push(at);
    const parentProject = this.projectOfItem(parent);
    if (parentProject === undefined) this.pendingParents.push({ id: item.id, parent: item.parent_id, project, index, line });
    else if (parentProject !== project) this.crossProject(item.id, item.parent_id, index, line);
  }

  /** The project number of the file's item with this index, if the file has shown that item. */
  private projectOfItem(at: number): number | undefined {
    const project = at < 0 ? 0 : this.itemProject.at(at);
    return project === 0 ? undefined : project - 1;
  }

  private crossProject(id: string, parent: string, index: number, line: number): void {
    this.issues.push(
      issueOf({
        entity_type: 'work_items',
        index,
        line,
        id,
        field: 'parent_id',
        message: `parent ${parent} is in another project; a parent must be in the same project`,
      }),
    );
  }

  /** References to records in neither the file nor the database, parents in other projects, cycles. */
  async finish(tx: Store): Promise<void> {
    if (this.version === undefined && this.issues.length === 0) {
      this.issues.push(issueOf({ field: 'schema_version', message: 'missing: a pm snapshot starts with "schema_version"' }));
    }
    const unresolved = this.pending.filter((r) => !this.seen.get(r.target)!.has(r.targetId));
    const inDatabase = new Map<EntityType, Map<string, AnyRecord>>();
    for (const target of ENTITY_TYPES) {
      const ids = [...new Set(unresolved.filter((r) => r.target === target).map((r) => r.targetId))];
      if (ids.length > 0) inDatabase.set(target, await tx.getMany(target, ids));
    }
    for (const r of unresolved) {
      if (inDatabase.get(r.target)?.has(r.targetId)) continue;
      this.issues.push(
        issueOf({
          entity_type: r.type,
          index: r.index,
          line: r.line,
          id: r.id,
          field: r.field,
          message: `refers to ${ENTITIES[r.target].label} ${r.targetId}, which is neither in the file nor in the database`,
        }),
      );
    }
    const dbItems = inDatabase.get('work_items') as Map<string, WorkItem> | undefined;
    for (const r of this.pendingParents) {
      const inFile = this.projectOfItem(this.seen.get('work_items')!.indexOf(r.parent));
      const project = inFile !== undefined ? this.projectIds[inFile] : dbItems?.get(r.parent)?.project_id;
      if (project !== undefined && project !== this.projectIds[r.project]) this.crossProject(r.id, r.parent, r.index, r.line);
    }
    const byId = new Map(this.fileBlocks.map((e) => [e.id, e]));
    for (const edge of planCycleBreaks(this.fileBlocks)) {
      const e = byId.get(edge.id)!;
      this.issues.push(
        issueOf({
          entity_type: 'dependencies',
          index: e.index,
          line: e.line,
          id: e.id,
          message: `this blocks dependency closes a cycle with others in the file (${e.from} blocks ${e.to})`,
        }),
      );
    }
    for (const loop of this.parentLoops()) {
      this.issues.push(
        issueOf({
          entity_type: 'work_items',
          id: loop[0]!,
          field: 'parent_id',
          message: `parent links loop: ${loop.join(' → ')} → ${loop[0]!}`,
        }),
      );
    }
  }

  /**
   * Loops of parent links among the file's items, each from where the walk met it: the walk
   * follows the links of each child in file order, as `parentLoops` (merge/repairs.ts) does
   * over records, here over item indexes.
   */
  private parentLoops(): string[][] {
    const items = this.seen.get('work_items')!;
    const state = new Uint8Array(items.size); // 0 unvisited, 1 on the current walk, 2 done
    const loops: string[][] = [];
    for (let c = 0; c < this.children.length; c++) {
      const path: number[] = [];
      let at = this.children.at(c);
      while (at >= 0 && state[at] === 0) {
        state[at] = 1;
        path.push(at);
        at = this.parentOf.at(at) - 1;
      }
      if (at >= 0 && state[at] === 1) loops.push(path.slice(path.indexOf(at)).map((i) => items.idAt(i)));
      for (const i of path) state[i] = 2;
    }
    return loops;
  }
}
