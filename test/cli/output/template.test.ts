import { describe, expect, it } from 'vitest';
import { fillTemplate, parseTemplate } from '../../../src/cli/output/list.js';

const fill = (source: string, record: Record<string, unknown>) => fillTemplate(parseTemplate(source), record);

describe('--format templates', () => {
  it('reads \\t, \\n and \\\\ and keeps other backslashes and lone braces as typed', () => {
    expect(fill('{a}\\t{b}\\n\\\\x \\d { } {not a field}', { a: 1, b: true })).toBe('1\ttrue\n\\x \\d { } {not a field}');
  });

  it('names every placeholder, repeated ones too, and fills each', () => {
    const template = parseTemplate('{key}-{key} {title}');
    expect(template.names).toEqual(['key', 'key', 'title']);
    expect(fillTemplate(template, { key: 'WEB-1', title: 'T' })).toBe('WEB-1-WEB-1 T');
  });

  it('prints null as nothing, objects as JSON, and a value on one line', () => {
    expect(fill('[{a}][{b}][{c}]', { a: null, b: { x: 1 }, c: 'one\r\ntwo\tthree' })).toBe('[][{"x":1}][one\\r\\ntwo\\tthree]');
  });
});
