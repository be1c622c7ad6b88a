import { ENTITY_TYPES, SCHEMA_VERSION, type EntityType } from '../../domain/index.js';

/**
 * The snapshot file, `.pm/data.json`:
 *
 *     {
 *       "schema_version": 1,
 *       "generator": "pm",
 *       "projects": [
 *         {"id":"…","key":"WEB",…},
 *         {"id":"…",…}
 *       ],
 *       "sprints": [],
 *       …
 *     }
 *
 * Metadata first, then one array per entity type in foreign-key order, one record per line,
 * records sorted by id, tombstones included. No timestamps of the export itself: exporting
 * unchanged data twice gives the same bytes.
 */

export const SNAPSHOT_SCHEMA_VERSION = SCHEMA_VERSION;
export const GENERATOR = 'pm';
export const SECTIONS: readonly EntityType[] = ENTITY_TYPES;
const FLUSH_AT = 1 << 20;

/**
 * Where a section's records sit in the file: `open` is the byte just after its `[`, `close`
 * the byte of its `]`. Between them: nothing (no records), or a newline, one record per line
 * (`    {…},` and the last without the comma) and two spaces.
 */
export interface SectionSpan {
  open: number;
  close: number;
}

/** Receives the file's bytes in order: a file, a pipe or an HTTP response. */
export interface Sink {
  write(chunk: Buffer): void | Promise<void>;
}

/** Writes the layout around records, handing the bytes to `sink` in chunks of about 1 MiB. */
export class SnapshotWriter {
  /** The next chunk: lines are encoded straight into it, no intermediate strings are joined. */
  #buffer = Buffer.allocUnsafe(FLUSH_AT + 64 * 1024);
  #size = 0;
  #pendingRecord: string | undefined;
  #sectionsOpened = 0;
  #inSection = false;
  /** Bytes handed to the sink so far. */
  #flushed = 0;
  #open = 0;
  #type: EntityType | undefined;
  readonly #spans = new Map<EntityType, SectionSpan>();

  constructor(private readonly sink: Sink) {}

  async begin(): Promise<void> {
    await this.push(`{\n  "schema_version": ${SNAPSHOT_SCHEMA_VERSION},\n  "generator": "${GENERATOR}",\n`);
  }

  section(type: EntityType): void {
    this.closeSection(false);
    this.#sectionsOpened++;
    this.#inSection = true;
    this.#type = type;
    this.add(`  "${type}": [`);
    this.#open = this.#flushed + this.#size;
  }

  /** Each written section's place in the output. */
  get spans(): ReadonlyMap<EntityType, SectionSpan> {
    return this.#spans;
  }

  /** Adds one record line; returns a promise only when it handed a chunk to an async sink. */
  record(line: string): void | Promise<void> {
    const previous = this.#pendingRecord;
    this.#pendingRecord = line;
    if (previous === undefined) {
      this.add('\n');
      return;
    }
    this.add(`    ${previous},\n`);
    if (this.#size >= FLUSH_AT) return this.flush();
  }

  async end(): Promise<void> {
    this.closeSection(true);
    await this.push('}\n');
    await this.flush();
  }

  private closeSection(last: boolean): void {
    if (!this.#inSection) return;
    const separator = last && this.#sectionsOpened === SECTIONS.length ? '' : ',';
    if (this.#pendingRecord !== undefined) this.add(`    ${this.#pendingRecord}\n  `);
    this.#spans.set(this.#type!, { open: this.#open, close: this.#flushed + this.#size });
    this.add(`]${separator}\n`);
    this.#pendingRecord = undefined;
    this.#inSection = false;
    if (last && this.#sectionsOpened !== SECTIONS.length) throw new Error('snapshot writer: every section must be written');
  }

  private add(text: string): void {
    if (this.#buffer.length - this.#size < text.length * 3) this.grow(this.#size + text.length * 3);
    this.#size += this.#buffer.write(text, this.#size);
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(size, this.#buffer.length * 2));
    this.#buffer.copy(bigger, 0, 0, this.#size);
    this.#buffer = bigger;
  }

  private async push(text: string): Promise<void> {
    this.add(text);
    if (this.#size >= FLUSH_AT) await this.flush();
  }

  private flush(): void | Promise<void> {
    if (this.#size === 0) return;
    const chunk = this.#buffer.subarray(0, this.#size);
    this.#buffer = Buffer.allocUnsafe(this.#buffer.length);
    this.#size = 0;
    this.#flushed += chunk.length;
    return this.sink.write(chunk);
  }
}
