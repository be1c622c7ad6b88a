import * as z from 'zod/mini';
import { UUID_PATTERN, dateSchema, isSchema, timestampSchema, uuidSchema, type EntityType } from '../domain/index.js';
import { snapshotJsonSchema } from '../sync/index.js';

/** JSON Schema pieces of the OpenAPI document, all generated from the zod schemas pm validates with. */
export type JsonSchema = Record<string, unknown>;

const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$';

/** zod → JSON Schema as a request sees it, with formats for the strings zod checks in code. */
export function inputSchema(schema: z.core.$ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
      const s = ctx.zodSchema;
      if (isSchema(s, uuidSchema)) Object.assign(ctx.jsonSchema, { pattern: UUID_PATTERN.source, format: 'uuid' });
      if (isSchema(s, timestampSchema) || isSchema(s, timestampSchema._zod.def.in)) {
        Object.assign(ctx.jsonSchema, { type: 'string', pattern: TIMESTAMP_PATTERN, format: 'date-time' });
      }
      if (isSchema(s, dateSchema)) Object.assign(ctx.jsonSchema, { format: 'date' });
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

let records: Record<string, { items: JsonSchema }> | undefined;

/** A stored record of a type, as the snapshot file's JSON Schema describes it. */
export function recordSchema(type: EntityType, extra: Record<string, JsonSchema> = {}): JsonSchema {
  records ??= snapshotJsonSchema().properties as Record<string, { items: JsonSchema }>;
  const base = records[type]!.items;
  if (Object.keys(extra).length === 0) return base;
  return { allOf: [base, { type: 'object', properties: extra, required: Object.keys(extra) }] };
}

const key = { type: 'string', description: 'display key, e.g. WEB-12' };

export const views = {
  workItem: () => recordSchema('work_items', { key }),
  dependency: () => recordSchema('dependencies', { blocking_key: { type: 'string' }, blocked_key: { type: 'string' } }),
  timeEntry: () => recordSchema('time_entries', { key: { type: 'string', description: "the item's display key" } }),
};

/** The envelope of every list: one page of records and how many there are in all. */
export function pageOf(items: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items },
      total: { type: 'integer', description: 'records matching the filters, on every page' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  };
}

export function object(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return { type: 'object', ...(description ? { description } : {}), properties };
}
