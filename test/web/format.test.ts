import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/web/format.js';

describe('the web UI duration field', () => {
  it('reads durations as the CLI does, and refuses 1:99', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1d')).toBe(8 * 3600);
    expect(parseDuration('90')).toBe(5400);
    expect(parseDuration('1:99')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });
});
