import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { derivedId } from '../../src/domain/index.js';

describe('derived ids', () => {
  it("are UUID v5 of the name in pm's namespace", () => {
    for (const name of ['', 'lane:todo', 'ünïcødé ✓', 'x'.repeat(1000)]) {
      expect(derivedId(name)).toBe(v5(name, '6f1c1d1e-5b0a-4d6e-9a51-3f0c6b2a9e11'));
    }
    expect(derivedId('lane:todo')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
