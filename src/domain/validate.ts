import type * as z from 'zod/mini';
import { ValidationError, type ErrorIssue } from './errors.js';

/** Turns zod's issues into ours: a path like `work_items[3].title` and a readable message. */
export function toIssues(error: z.core.$ZodError, prefix = ''): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(prefix, issue.path),
    message: describe(issue),
  }));
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}${'input' in issue ? `, got ${typeName(issue.input)}` : ''}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? issue.minimum === 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Parses `input` with `schema`, or throws a ValidationError naming every bad field. */
export function parseInput<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  const result = (schema as unknown as z.ZodMiniType).safeParse(input, { reportInput: true });
  if (!result.success) throw new ValidationError(toIssues(result.error));
  return result.data as z.output<S>;
}

/**
 * True when `candidate` is `schema`, or either is the stand-in `lazy` gives out for the other
 * (both share their internals).
 */
export function isSchema(candidate: unknown, schema: z.core.$ZodType): boolean {
  return (candidate as Partial<z.core.$ZodType> | null)?._zod === schema._zod;
}
