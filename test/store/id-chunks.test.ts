import { describe, expect, it } from 'vitest';
import { idChunks } from '../../src/store/index.js';

describe('idChunks', () => {
  it('slices ids into lists of at most 500, in order, leaving none out', () => {
    const ids = Array.from({ length: 1201 }, (_, i) => `id-${i}`);
    const chunks = [...idChunks(ids)];
    expect(chunks.map((c) => c.length)).toEqual([500, 500, 201]);
    expect(chunks.flat()).toEqual(ids);
  });

  it('yields nothing for no ids, and one list for exactly 500', () => {
    expect([...idChunks([])]).toEqual([]);
    expect([...idChunks(Array.from({ length: 500 }, (_, i) => i))].map((c) => c.length)).toEqual([500]);
  });
});
