import type { AnyRecord } from '../../domain/index.js';
import { createColors, type Colors } from './colors.js';
import { cell, renderTable, type Column } from './table.js';

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
  /** The pm executable running now, for git to call back (hooks, merge driver). */
  bin?: string;
}

/** Everything a command prints goes through here: data on stdout, notes and errors on stderr. */
export class Output {
  readonly c: Colors;
  /** `--quiet`: nothing but warnings and errors (and JSON, which is asked for by name). */
  quiet = false;

  constructor(readonly io: CliIo) {
    const color = io.isTTY && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
    this.c = createColors(color);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    if (!this.quiet) this.io.stdout.write(`${text}\n`);
  }

  note(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** On stderr even with --quiet. */
  warn(text: string): void {
    this.io.stderr.write(`${this.c.yellow('warning:')} ${text}\n`);
  }

  table(columns: readonly Column[], rows: readonly (readonly unknown[])[]): void {
    if (this.quiet) return;
    this.io.stdout.write(
      renderTable(columns, rows, {
        ...(this.io.isTTY && this.io.columns ? { width: this.io.columns } : {}),
        header: (t) => this.c.bold(t),
      }),
    );
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

/** The record as `--json` shows it: without the per-field write clocks, which are sync plumbing. */
export function publicRecord<R extends AnyRecord>(record: R): Omit<R, 'field_updated_at'> {
  const { field_updated_at: _clock, ...rest } = record;
  return rest;
}
