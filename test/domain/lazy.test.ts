import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ENTITIES, ENTITY_TYPES, isSchema, lazy, parseInput, uuidSchema, workItemSchema } from '../../src/domain/index.js';

describe('lazily built schemas', () => {
  it('build nothing until first used, then once', () => {
    let builds = 0;
    const schema = lazy(() => {
      builds++;
      return z.object({ n: z.int() });
    });
    expect(builds).toBe(0);
    expect(parseInput(schema, { n: 1 })).toEqual({ n: 1 });
    expect(Object.keys(schema.shape)).toEqual(['n']);
    expect(() => parseInput(z.array(schema), [{ n: 'x' }])).toThrow(/\[0\]\.n: expected number, got string/);
    expect(builds).toBe(1);
  });

  it('are the schema they stand for, inside other schemas too', () => {
    const inner: unknown = workItemSchema.shape.id;
    expect(isSchema(inner, uuidSchema)).toBe(true);
    expect(isSchema(z.string(), uuidSchema)).toBe(false);
    expect(isSchema(undefined, uuidSchema)).toBe(false);
  });

  it("list each entity's fields as its schema orders them", () => {
    for (const type of ENTITY_TYPES)
      expect(ENTITIES[type].fields).toEqual(Object.keys((ENTITIES[type].schema as unknown as z.ZodMiniObject).shape));
  });
});
