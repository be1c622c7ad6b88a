import { InvalidArgumentError, Option } from 'commander';
import { ValidationError } from '../domain/index.js';

/** Option parsers that fail with the option's name, as our other validation errors do. */

export function integer(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : '';
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ValidationError([{ path: name, message: `expected a whole number${range}, got ${JSON.stringify(value)}` }]);
    }
    return n;
  };
}

/** What `none` parses to: commander turns a parser's `null` into `''`, so clearing needs a marker. */
export const CLEAR = Symbol('clear');
export type Clearable<T> = T | typeof CLEAR;

/** `none` clears a value. */
export function nullable<T>(parse: (value: string) => T) {
  return (value: string): Clearable<T> => (value.trim().toLowerCase() === 'none' ? CLEAR : parse(value));
}

/** The option's value for an input: undefined when not given, null when cleared. */
export function cleared<T>(value: Clearable<T> | undefined): T | null | undefined {
  return value === CLEAR ? null : value;
}

export const text = (value: string): string => value;

/** An option that takes one of `values`: commander refuses others, naming the flag, and --help lists them. */
export function choiceOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values);
}

/**
 * An option that takes some of `values`, comma-separated or repeated: commander refuses any
 * other, naming the flag and the allowed values, and --help and completion list them.
 */
export function choiceListOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values).argParser((value: string, previous: string[] | undefined) => {
    const given = list(value, undefined);
    const wrong = given.find((v) => !values.includes(v));
    if (wrong !== undefined || given.length === 0) {
      // commander prefixes "option '<flags>' argument '<value>' is invalid."
      const which = given.length > 1 ? ` (${JSON.stringify(wrong)} is not)` : '';
      throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}${which}.`);
    }
    return [...(previous ?? []), ...given];
  });
}

/**
 * Runs a command's work with its validation errors naming the command's flags (`--points`)
 * instead of the fields of the input (`story_points`), as the user typed them.
 */
export async function namingFlags<T>(flags: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const flagOf = (path: string) => flags[/^[^.[]*/.exec(path)![0]];
    if (!error.issues.some((issue) => flagOf(issue.path))) throw error;
    throw new ValidationError(error.issues.map((issue) => ({ ...issue, path: flagOf(issue.path) ?? issue.path })));
  }
}

/** `a,b` or repeated options → a list. */
export function list(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** How durations and times are typed, for help texts: the parsers are in domain/time.ts. */
export const DURATION_HELP = 'e.g. 1h30m, 45m, 90m, 1:30 or 1d (a working day: 8h); a bare number is minutes';
export const WHEN_HELP = 'local time like "2026-12-04 14:30", 14:30, "yesterday 9:00", "2h ago", or ISO 8601 with Z';
export const DAY_HELP = 'YYYY-MM-DD, today, tomorrow or yesterday';

export const jsonOption = () => new Option('--json', 'print JSON (see docs/json-output.md)');
export const quietOption = () => new Option('-q, --quiet', 'print nothing but warnings and errors (for scripts and git hooks)');
export const ifVersionOption = () =>
  new Option('--if-version <n>', 'refuse unless the record is still at this version').argParser(integer('--if-version', 1));

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
