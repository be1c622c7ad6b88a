import {
  formatAgo,
  formatLocal,
  systemClock,
  timeZoneOf,
  type AnyRecord,
  type Clock,
  type TimeContext,
} from '../../domain/index.js';
import { STYLE_CODES, createColors, type Colors } from './colors.js';
import { cell, renderTable, type Column } from './table.js';
import { terminalSafe } from './terminal-safe.js';

export interface Writer {
  write(text: string | Buffer): unknown;
}

export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writer;
  stderr: Writer;
  /** True when stdout is a terminal: colour, progress bars and fitted tables. */
  isTTY: boolean;
  columns: number | undefined;
  /** Asks the person at the terminal; absent when stdin or stderr is not a terminal. */
  ask?: (question: string) => Promise<string>;
  /** The pm executable running now, for git to call back (hooks, merge driver). */
  bin?: string;
}

/**
 * Everything a command prints goes through here: data on stdout, notes and errors on stderr.
 * Text for the terminal passes `terminalSafe` on its way out, whoever wrote it (a title, a
 * remote's error, commander echoing an argument): only pm's own colours reach the terminal as
 * codes. JSON is written as it is: its encoding escapes control characters already.
 */
export class Output {
  readonly c: Colors;
  readonly #keep: RegExp | undefined;
  #timeZone: { zone: string | undefined } | undefined;
  /** `--quiet`: nothing but warnings and errors (and JSON, which is asked for by name). */
  quiet = false;

  constructor(
    readonly io: CliIo,
    readonly clock: Clock = systemClock,
  ) {
    const color = colorWanted(io);
    this.c = createColors(color);
    this.#keep = color ? STYLE_CODES : undefined;
  }

  /**
   * The user's zone (`TZ`), checked on first use (a check makes Intl load ICU's data); undefined
   * for the system's, which is also this process's own `TZ` (Date reads that one).
   */
  get #zone(): string | undefined {
    const tz = this.io.env.TZ;
    this.#timeZone ??= { zone: tz === process.env.TZ ? undefined : timeZoneOf(tz) };
    return this.#timeZone.zone;
  }

  /** Now and the user's zone (`TZ`), for reading times people type. */
  time(): TimeContext {
    return { now: this.clock(), timeZone: this.#zone };
  }

  /** `2026-12-04 14:30 UTC+1 (2 days ago)`: a stored UTC timestamp as people read it. */
  when(timestamp: string | null): string {
    return timestamp ? `${formatLocal(timestamp, this.#zone)} (${formatAgo(timestamp, this.clock())})` : '';
  }

  /** `14:30 UTC+1`: the time of day in the user's zone. */
  clockTime(timestamp: string): string {
    return formatLocal(timestamp, this.#zone).slice(11);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A JSON array written a record at a time, byte for byte what `json` prints for the whole array. */
  async jsonArray(records: AsyncIterable<unknown>): Promise<void> {
    let first = true;
    for await (const record of records) {
      this.io.stdout.write(`${first ? '[' : ','}\n  ${JSON.stringify(record, null, 2).replace(/\n/g, '\n  ')}`);
      first = false;
    }
    this.io.stdout.write(first ? '[]\n' : '\n]\n');
  }

  /** Text for the terminal on stdout, as it is apart from what a terminal would act on. */
  stdout(text: string): void {
    this.io.stdout.write(terminalSafe(text, this.#keep));
  }

  /** Data asked for by name (`--format` lines): on stdout even with --quiet, safe but never coloured. */
  data(text: string): void {
    this.io.stdout.write(terminalSafe(text));
  }

  /** Text for the terminal on stderr, made safe as `stdout` makes it. */
  stderr(text: string): void {
    this.io.stderr.write(terminalSafe(text, this.#keep));
  }

  line(text = ''): void {
    if (!this.quiet) this.stdout(`${text}\n`);
  }

  note(text: string): void {
    if (!this.quiet) this.stderr(`${text}\n`);
  }

  /** On stderr even with --quiet. */
  warn(text: string): void {
    this.stderr(`${this.c.yellow('warning:')} ${text}\n`);
  }

  table(columns: readonly Column[], rows: readonly (readonly unknown[])[]): void {
    if (this.quiet) return;
    this.stdout(
      renderTable(columns, rows, {
        ...(this.io.isTTY && this.io.columns ? { width: this.io.columns } : {}),
        header: (t) => this.c.bold(t),
      }),
    );
  }

  /**
   * What an edit did: `updated` when the record moved to a new version, else that nothing
   * changed (a patch of the values the record has writes nothing, and exits 0).
   */
  edited(before: { version: number }, after: { version: number }, what: string, updated: string): void {
    if (after.version === before.version)
      this.note(`Nothing changed: ${what} already has these values (version ${after.version})`);
    else this.line(updated);
  }

  /** Aligned `label  value` lines, as `show` commands print them. */
  fields(entries: readonly (readonly [string, unknown])[]): void {
    const width = Math.max(...entries.map(([label]) => label.length));
    for (const [label, value] of entries) {
      if (value === undefined) continue;
      this.line(`${this.c.dim(`${label.padEnd(width)}`)}  ${value === null || value === '' ? this.c.dim('-') : cell(value)}`);
    }
  }
}

/**
 * Colour on a terminal, unless `NO_COLOR` is set or the terminal is dumb; `FORCE_COLOR` overrides
 * both ways (`FORCE_COLOR=0` turns it off), as Node and most tools read it.
 */
export function colorWanted(io: Pick<CliIo, 'env' | 'isTTY'>): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return io.isTTY && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
}

/** The record as `--json` shows it: without the per-field write clocks, which are sync plumbing. */
export function publicRecord<R extends AnyRecord>(record: R): Omit<R, 'field_updated_at'> {
  const { field_updated_at: _clock, ...rest } = record;
  return rest;
}
