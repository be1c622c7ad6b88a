import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AnyRecord } from '../../domain/index.js';
import { jsonOption } from '../options.js';
import { publicRecord, type Output } from './output.js';
import type { Column } from './table.js';

/**
 * How every list command prints its records: the default table, `--fields` (chosen columns, or
 * chosen JSON keys with `--json`), `--format` (a line per record from a template) or `--json`.
 */
export interface ListView<R extends AnyRecord> {
  /** What `--fields` and `--format` may name: the record's `--json` keys. */
  fields: readonly string[];
  /** The table printed without `--fields`. */
  table(out: Output, records: readonly R[]): void | Promise<void>;
}

/** `--format`'s template, parsed: literal text around the fields it names. */
export interface Template {
  parts: readonly string[];
  names: readonly string[];
}

export interface ListFlags {
  json?: boolean;
  fields?: string[];
  format?: Template;
}

/** The keys of a record type, all of them: the compiler says when one is missing or unknown. */
export function fieldsOf<R>(keys: { [K in keyof Omit<R, 'field_updated_at'>]-?: true }): readonly string[] {
  return Object.keys(keys);
}

/** Adds --fields, --format and --json, the options every list command shares. */
export function listOptions(command: Command, fields: readonly string[]): Command {
  return command.addOption(fieldsOption(fields)).addOption(formatOption(fields)).addOption(jsonOption());
}

function fieldsOption(fields: readonly string[]): Option {
  // choices() is for --help and completion; the parser takes a comma-separated list of them.
  return new Option('--fields <fields>', 'only these columns, in this order (comma-separated; with --json, these keys)')
    .choices(fields)
    .argParser((value: string) => {
      const given = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      const unknown = given.filter((f) => !fields.includes(f));
      // commander prefixes "option '--fields <fields>' argument '<value>' is invalid."
      if (given.length === 0) throw new InvalidArgumentError(`Name at least one field: ${fields.join(', ')}.`);
      if (unknown.length > 0) throw new InvalidArgumentError(`${unknownFields(unknown)}; the fields are ${fields.join(', ')}.`);
      return given;
    });
}

function formatOption(fields: readonly string[]): Option {
  return new Option(
    '--format <template>',
    'a line per record, e.g. "{key}\\t{status}\\t{title}" (\\t, \\n escapes; no table, header or colour)',
  )
    .conflicts('json')
    .argParser((value: string) => {
      const template = parseTemplate(value);
      const unknown = [...new Set(template.names.filter((n) => !fields.includes(n)))];
      if (unknown.length > 0)
        throw new InvalidArgumentError(`${unknownFields(unknown.map((n) => `{${n}}`))}; the fields are ${fields.join(', ')}.`);
      return template;
    });
}

const unknownFields = (names: readonly string[]) =>
  `Unknown field${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')}`;

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', '\\': '\\' };

/** `{key}\t{title}` → the text between fields (escapes read) and the fields' names. */
export function parseTemplate(source: string): Template {
  const parts: string[] = [];
  const names: string[] = [];
  let text = '';
  for (const m of source.matchAll(/\\([tn\\])|\{(\w+)\}|[^\\{]+|[\\{]/g)) {
    if (m[1] !== undefined) text += ESCAPES[m[1]];
    else if (m[2] !== undefined) {
      parts.push(text);
      names.push(m[2]);
      text = '';
    } else text += m[0];
  }
  parts.push(text);
  return { parts, names };
}

/** A value on one line: null is empty, line breaks and tabs written out so a record stays one line. */
function inline(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : `${value as string | number | boolean}`;
  return text.replace(/[\t\n\r]/g, (ch) => (ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

export function fillTemplate(template: Template, record: Readonly<Record<string, unknown>>): string {
  return template.parts.reduce((line, part, i) => line + inline(record[template.names[i - 1]!]) + part);
}

const FLEX_FIELDS = new Set(['title', 'description', 'goal', 'content']);

/**
 * Prints records as the flags ask. JSON and `--format` lines are written as records arrive (an
 * `--all` stream stays flat in memory); a table waits for them all, to size its columns.
 * `empty` is the note on stderr when a table or template has nothing to show.
 */
export async function printList<R extends AnyRecord>(
  out: Output,
  view: ListView<R>,
  records: readonly R[] | AsyncIterable<R>,
  flags: ListFlags,
  empty: string,
): Promise<void> {
  const shape = (record: R): Record<string, unknown> => {
    const all: Record<string, unknown> = publicRecord(record);
    return flags.fields ? Object.fromEntries(flags.fields.map((f) => [f, all[f] ?? null])) : all;
  };
  if (flags.json) {
    if (isArray(records)) return out.json(records.map(shape));
    return out.jsonArray(mapAsync(records, shape));
  }
  if (flags.format) {
    let count = 0;
    for await (const record of records) {
      out.data(`${fillTemplate(flags.format, publicRecord(record))}\n`);
      count++;
    }
    if (count === 0) out.note(empty);
    return;
  }
  const rows: R[] = [];
  for await (const record of records) rows.push(record);
  if (rows.length === 0) return out.note(empty);
  if (!flags.fields) return await view.table(out, rows);
  const columns: Column[] = flags.fields.map((f) => ({ header: f.toUpperCase(), ...(FLEX_FIELDS.has(f) ? { flex: true } : {}) }));
  out.table(
    columns,
    rows.map((record) => {
      const all: Record<string, unknown> = publicRecord(record);
      // Times as the other tables show them: local, with how long ago.
      return flags.fields!.map((f) => (f.endsWith('_at') && typeof all[f] === 'string' ? out.when(all[f]) : all[f]));
    }),
  );
}

const isArray = <T>(value: readonly T[] | AsyncIterable<T>): value is readonly T[] => Array.isArray(value);

async function* mapAsync<T, U>(source: AsyncIterable<T>, f: (t: T) => U): AsyncGenerator<U> {
  for await (const t of source) yield f(t);
}
