import { Option } from 'commander';
import { ValidationError } from '../domain/index.js';

/** Option parsers that fail with the option's name, as our other validation errors do. */

export function integer(name: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new ValidationError([
        {
          path: name,
          message: `expected a whole number${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ''}, got ${JSON.stringify(value)}`,
        },
      ]);
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

export const jsonOption = () => new Option('--json', 'print JSON (see docs/json-output.md)');
export const quietOption = () => new Option('-q, --quiet', 'print nothing but warnings and errors (for scripts and git hooks)');
export const ifVersionOption = () =>
  new Option('--if-version <n>', 'refuse unless the record is still at this version').argParser(integer('--if-version', 1));

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
