import type * as z from 'zod/mini';
import { ValidationError, type ErrorIssue } from '../domain/index.js';

/**
 * Query strings carry only strings; the schemas that validate them (the same ones that
 * validate the CLI's input) expect lists, numbers and booleans. This turns each parameter
 * into what its field expects where that is unambiguous, and leaves everything else as it is
 * so the schema reports it with the parameter's name.
 *
 *     ?status=todo,review&status=done&all=true&limit=50
 *     → { status: ['todo', 'review', 'done'], all: true, limit: 50 }
 */
export type RawQuery = Record<string, string | string[] | undefined>;

type Kind = 'array' | 'boolean' | 'number' | 'other';

function kindOf(schema: z.core.$ZodType | undefined): Kind {
  let def = schema?._zod.def;
  while (def && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default')) {
    def = (def as unknown as { innerType: z.core.$ZodType }).innerType._zod.def;
  }
  if (def?.type === 'array' || def?.type === 'boolean' || def?.type === 'number') return def.type;
  return 'other';
}

/** The fields of an object schema; undefined for any other schema. */
function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const def = schema._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
  return def.type === 'object' ? (def.shape ?? {}) : undefined;
}

const INTEGER_RE = /^-?\d{1,15}$/;

function coerce(kind: Kind, value: string | string[]): unknown {
  switch (kind) {
    case 'array':
      return (Array.isArray(value) ? value : [value])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '');
    case 'boolean':
      if (value === 'true' || value === '1' || value === '') return true;
      if (value === 'false' || value === '0') return false;
      return value;
    case 'number':
      return typeof value === 'string' && INTEGER_RE.test(value) ? Number(value) : value;
    case 'other':
      return value;
  }
}

/**
 * The query as its schema expects it. A parameter the schema does not name is refused here,
 * by name: `toString`, `__proto__` and the like are keys of every object, never parameters.
 */
export function coerceQuery(schema: z.core.$ZodType, raw: RawQuery): Record<string, unknown> {
  const shape = shapeOf(schema);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const unknown: ErrorIssue[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const field = shape && Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (shape && !field) unknown.push({ path: key, message: unknownParameter(shape) });
    else out[key] = coerce(kindOf(field), value);
  }
  if (unknown.length > 0) throw new ValidationError(unknown);
  return out;
}

function unknownParameter(shape: Record<string, z.core.$ZodType>): string {
  const known = Object.keys(shape);
  return `unknown query parameter (${known.length === 0 ? 'this route takes none' : `expected ${known.join(', ')}`})`;
}
