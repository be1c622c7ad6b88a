import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ENTITY_TYPES, type EntityType } from '../../domain/index.js';
import { columnsOf, rowJsonEncoder, type Store } from '../../store/index.js';
import type { ExportResult } from './export.js';
import type { SectionSpan } from './layout.js';

/**
 * What pm knows of the tracked snapshot its last export wrote: enough to patch that file with
 * the rows written since, instead of writing every record again.
 */
export interface ExportAnchor extends FileLayout {
  /** The file's stat signature: any other file (git wrote it, a hand edit) is not patched. */
  signature: string;
  /** The change counter the file includes every row write up to. */
  changeSeq: number;
  /** The removal counter as of the file's rows (absent from anchors of earlier versions). */
  removals?: number;
}

/** More changed records than this, and writing the file anew costs about as much. */
const MOST_CHANGES = 20_000;
const COPY_CHUNK = 8 << 20;

/** A record's line, with its id as bytes (the order of the file's lines). */
export interface RecordLine {
  key: Buffer;
  json: string;
}

/** Where a snapshot file's sections are and how many records each holds (what `ExportAnchor` keeps of it). */
export interface FileLayout {
  /** The snapshot's bytes (a mark appended after them is not part of it). */
  size: number;
  spans: Record<EntityType, SectionSpan>;
  counts: Record<EntityType, number>;
}

/**
 * The rows written since the file `anchor` describes, placed in that file: written out by
 * `write`, outside the read transaction that found them. Holds the file open until `close`.
 */
export interface SplicePlan {
  /** The changed lines, per type, in id order. */
  changed: Map<EntityType, RecordLine[]>;
  localSeq: number;
  changeSeq: number;
  /** Writes the patched file to `write` (the bytes a full export would write). */
  write(write: (chunk: Buffer) => void): ExportResult;
  close(): void;
}

/**
 * Plans writing the snapshot file at `path` (the one `anchor` describes) with every row written
 * since it replaced or added at its place: the file's records are in id order, one per line, so
 * each is found by a binary search and everything between is copied as it is. Undefined when
 * that is not worth it or cannot be done (too many changes; rows removed; the file is not the
 * one the anchor describes).
 */
export async function planSplice(store: Store, path: string, anchor: ExportAnchor): Promise<SplicePlan | undefined> {
  return store.read(async (tx) => {
    const localSeq = Number((await tx.getMeta('local_seq')) ?? 0);
    const changeSeq = await tx.changeSeq();
    // Rows removed (a take-in following the file, a replace import) leave no stamp to find
    // them by. Counting every table's rows told that too, at a tenth of a 100k-item export.
    const removals = await tx.removals();
    if (removals !== anchor.removals) return undefined;
    const changed = new Map<EntityType, RecordLine[]>();
    let total = 0;
    for (const type of ENTITY_TYPES) {
      // A project's next item number moves without a stamp (`allocateItemNumber`): projects
      // are few, so each is written again.
      const ids = type === 'projects' ? [...(await tx.ids(type))] : await tx.changedIds(type, anchor.changeSeq);
      total += ids.length;
      if (total > MOST_CHANGES) return undefined;
      if (ids.length === 0) continue;
      const encode = rowJsonEncoder(type);
      const at = columnsOf(type).indexOf('id');
      const lines = (await tx.rowsWithIds(type, ids)).map((row) => ({ key: Buffer.from(row[at] as string), json: encode(row) }));
      changed.set(type, lines.sort(byKey));
    }
    const fd = openOrNone(path);
    // Gone (deleted, or a database copied without it): written in full.
    if (fd === undefined) return undefined;
    try {
      if (signatureOf(fstatSync(fd)) !== anchor.signature) return closed(fd);
      const patch = planPatch(new LineFile(fd), anchor, changed);
      return {
        changed,
        localSeq,
        changeSeq,
        write: (write) => ({ hash: '', localSeq, changeSeq, removals, ...patch.write(write) }),
        close: () => closeSync(fd),
      };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  });
}

function openOrNone(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function closed(fd: number): undefined {
  closeSync(fd);
  return undefined;
}

export function byKey(a: RecordLine, b: RecordLine): number {
  return Buffer.compare(a.key, b.key);
}

/**
 * The file at `path` (laid out as `layout` says) with `changed` lines (per type, in id order)
 * replacing the lines of the same ids or added at their places, handed to `write`.
 */
export function writePatchedFile(
  path: string,
  layout: FileLayout,
  changed: ReadonlyMap<EntityType, readonly RecordLine[]>,
  write: (chunk: Buffer) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    planPatch(new LineFile(fd), layout, changed).write(write);
  } finally {
    closeSync(fd);
  }
}

/** Where each changed line goes in the file, and the counts after; `write` writes the result. */
function planPatch(file: LineFile, layout: FileLayout, changed: ReadonlyMap<EntityType, readonly RecordLine[]>) {
  const counts = { ...layout.counts };
  const plans = new Map<EntityType, Edit[]>();
  for (const [type, lines] of changed) {
    const plan = planSection(file, layout.spans[type], lines);
    counts[type] += plan.filter((e) => !e.replace).length;
    plans.set(type, plan);
  }
  return {
    counts,
    write(write: (chunk: Buffer) => void): {
      bytes: number;
      counts: Record<EntityType, number>;
      spans: Record<EntityType, SectionSpan>;
    } {
      const out = new SpliceWriter(file, write);
      const spans = {} as Record<EntityType, SectionSpan>;
      for (const type of ENTITY_TYPES) spans[type] = out.section(layout.spans[type], plans.get(type) ?? []);
      out.copyTo(layout.size);
      return { bytes: out.written, counts, spans };
    },
  };
}

/** Identifies a file's current contents cheaply: inode, size and modification time. */
export function signatureOf(st: { ino: number; size: number; mtimeMs: number }): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

interface Edit {
  /** Where the line goes: the start of the line it replaces, or of the line it goes before. */
  at: number;
  replace: boolean;
  json: string;
}

/** Where each changed record goes in a section: the line with its id, or its place in id order. */
function planSection(file: LineFile, span: SectionSpan, lines: readonly RecordLine[]): Edit[] {
  if (span.close === span.open) return lines.map((line) => ({ at: span.open, replace: false, json: line.json }));
  const first = span.open + 1;
  const end = span.close - 2;
  const edits: Edit[] = [];
  let lo = first;
  for (const line of lines) {
    let hi = end;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      let start = file.lineEnd(mid - 1);
      if (start >= hi) start = lo;
      if (Buffer.compare(file.idAt(start), line.key) < 0) lo = file.lineEnd(start);
      else hi = start;
    }
    const replace = lo < end && file.idAt(lo).equals(line.key);
    edits.push({ at: lo, replace, json: line.json });
  }
  return edits;
}

/** Reads a snapshot file's lines where asked (by position), through a small window. */
class LineFile {
  readonly #window = Buffer.allocUnsafe(4096);
  #windowAt = -1;
  #windowSize = 0;

  constructor(readonly fd: number) {}

  /** The position after the first newline at or after `from`. */
  lineEnd(from: number): number {
    for (let at = from; ;) {
      this.load(at);
      if (this.#windowSize === 0) throw new Error('snapshot file ends inside a record');
      const i = this.#window.subarray(at - this.#windowAt, this.#windowSize).indexOf(10);
      if (i >= 0) return at + i + 1;
      at = this.#windowAt + this.#windowSize;
    }
  }

  /** The id of the record line starting at `start` (`    {"id":"…"`). */
  idAt(start: number): Buffer {
    const from = start + 11;
    this.load(from, 128);
    const view = this.#window.subarray(from - this.#windowAt, this.#windowSize);
    const quote = view.indexOf(34);
    if (quote < 0) throw new Error(`snapshot file: no record id at byte ${start}`);
    return Buffer.from(view.subarray(0, quote));
  }

  /** Makes the window start at or before `at` and hold at least `need` bytes after it (unless the file ends). */
  private load(at: number, need = 1): void {
    if (at >= this.#windowAt && at + need <= this.#windowAt + this.#windowSize) return;
    this.#windowAt = at;
    this.#windowSize = readSync(this.fd, this.#window, 0, this.#window.length, at);
  }
}

/**
 * Writes the patched file: copies of the old bytes, and the changed lines at their places
 * with the separators a full export writes (`,` after every record line but a section's last).
 */
class SpliceWriter {
  written = 0;
  #from = 0;
  readonly #buffer = Buffer.allocUnsafe(COPY_CHUNK);

  constructor(
    private readonly file: LineFile,
    private readonly write: (chunk: Buffer) => void,
  ) {}

  /** Writes up to the end of a section with its edits applied; returns where the section is now. */
  section(span: SectionSpan, edits: readonly Edit[]): SectionSpan {
    this.copyTo(span.open);
    const open = this.written;
    if (edits.length > 0) {
      const empty = span.close === span.open;
      const end = empty ? span.open : span.close - 2;
      if (empty) this.text('\n');
      else this.copyTo(span.open + 1);
      let lineOpen = false;
      const copyLines = (to: number) => {
        if (to <= this.#from) return;
        if (lineOpen) this.text(',\n');
        // The section's last line has no comma: leave its newline for what follows to decide.
        lineOpen = to === end;
        this.copyTo(lineOpen ? to - 1 : to);
        if (lineOpen) this.#from = to;
      };
      for (const edit of edits) {
        copyLines(edit.at);
        this.text(`${lineOpen ? ',\n' : ''}    ${edit.json}`);
        lineOpen = true;
        if (edit.replace) this.#from = this.file.lineEnd(edit.at);
      }
      copyLines(end);
      this.text(empty ? '\n  ' : '\n');
    }
    this.copyTo(span.close);
    return { open, close: this.written };
  }

  /**
   * Copies the old file's bytes up to `to`, through JS: `fs.copyFile` (in the kernel, but ext4
   * has no reflink, so it copies the pages too) measured no faster and copies whole files only;
   * reading the next chunk on the thread pool while writing this one was slower on two busy cores.
   */
  copyTo(to: number): void {
    while (this.#from < to) {
      const n = readSync(this.file.fd, this.#buffer, 0, Math.min(this.#buffer.length, to - this.#from), this.#from);
      if (n === 0) throw new Error('snapshot file is shorter than recorded');
      this.write(this.#buffer.subarray(0, n));
      this.#from += n;
      this.written += n;
    }
  }

  private text(text: string): void {
    const chunk = Buffer.from(text);
    this.write(chunk);
    this.written += chunk.length;
  }
}
