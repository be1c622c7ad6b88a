import * as z from 'zod/mini';
import { ENTITIES, ENTITY_TYPES, UUID_PATTERN, dateSchema, isSchema, timestampSchema, uuidSchema } from '../../domain/index.js';
import { SNAPSHOT_SCHEMA_VERSION } from './layout.js';

const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$';

/**
 * A JSON Schema (draft 2020-12) of the snapshot file, generated from the zod schemas that
 * validate imports, so the two cannot drift apart. Checks that code does beyond a schema's
 * reach (references, cycles, sprint dates) are described, not encoded.
 */
export function snapshotJsonSchema(): Record<string, unknown> {
  const hint = (ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    const schema = ctx.zodSchema;
    if (isSchema(schema, uuidSchema)) Object.assign(ctx.jsonSchema, { pattern: UUID_PATTERN.source, format: 'uuid' });
    if (isSchema(schema, timestampSchema) || isSchema(schema, timestampSchema._zod.def.in)) {
      Object.assign(ctx.jsonSchema, { type: 'string', pattern: TIMESTAMP_PATTERN, format: 'date-time' });
    }
    if (isSchema(schema, dateSchema)) Object.assign(ctx.jsonSchema, { format: 'date' });
  };
  const records = Object.fromEntries(
    ENTITY_TYPES.map((type) => [
      type,
      {
        type: 'array',
        description: `Every ${ENTITIES[type].label}, tombstones included, sorted by id, one per line.`,
        items: z.toJSONSchema(ENTITIES[type].schema, {
          io: 'input',
          unrepresentable: 'any',
          override: hint,
          target: 'draft-2020-12',
        }),
      },
    ]),
  );
  for (const records_ of Object.values(records)) delete (records_.items as Record<string, unknown>).$schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://pm.example/schema/snapshot.schema.json',
    title: 'pm snapshot (.pm/data.json)',
    description:
      'All records of a pm repository: metadata, then one array per entity type in foreign-key order. Also checked on import: every reference names a record in the file or the database, a parent is in the same project, blocks dependencies and parent links form no cycle, a sprint does not end before it starts, ids are unique.',
    type: 'object',
    required: ['schema_version'],
    properties: {
      schema_version: { const: SNAPSHOT_SCHEMA_VERSION },
      generator: { type: 'string' },
      ...records,
    },
  };
}
