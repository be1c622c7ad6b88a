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

  constructor(readonly io: CliIo) {
    this.c = createColors(colorWanted(io));
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  table(columns: readonly Column[], rows: readonly (readonly unknown[])[]): void {
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
