import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/index.js';
import { IdTable } from '../../../src/sync/snapshot/id-table.js';

describe('IdTable', () => {
  it('answers as a Set would for UUIDs and other strings, through many growths', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uuid().map((u) => u.toLowerCase()),
            fc.uuid(),
            fc.string({ maxLength: 40 }),
          ),
          { maxLength: 300 },
        ),
        (ids) => {
          const table = new IdTable();
          const set = new Set<string>();
          for (const id of ids) {
            expect(table.add(id), id).toBe(!set.has(id));
            set.add(id);
          }
          for (const id of [...ids, 'absent', '00000000-0000-0000-0000-000000000000'])
            expect(table.has(id), id).toBe(set.has(id));
          expect(table.size).toBe(set.size);
          expect(Array.from({ length: table.size }, (_, i) => table.idAt(i))).toEqual([...set]);
        },
      ),
    );
  });

  it('numbers ids in the order they came and gives them back as they were, past 100,000', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 100_001 }, () => newId());
    for (const id of ids) table.add(id);
    expect(table.size).toBe(ids.length);
    for (const i of [0, 1, 511, 512, 65_536, 100_000]) {
      expect(table.indexOf(ids[i]!)).toBe(i);
      expect(table.idAt(i)).toBe(ids[i]);
    }
  });

  it('knows an interned id without making it a member until it is added', () => {
    const table = new IdTable();
    const parent = newId();
    const index = table.intern(parent);
    expect(table.has(parent)).toBe(false);
    expect(table.intern(parent)).toBe(index);
    expect(table.add(parent)).toBe(true);
    expect(table.has(parent)).toBe(true);
    expect(table.add(parent)).toBe(false);
    expect(table.indexOf(parent)).toBe(index);
  });
});
