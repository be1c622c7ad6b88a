import { describe, expect, it } from 'vitest';
import { createColors } from '../../../src/cli/output/colors.js';
import { renderTable } from '../../../src/cli/output/table.js';
import { width } from '../../../src/cli/output/width.js';

describe('width', () => {
  it('counts the columns a terminal gives: ASCII, Latin, Greek, Cyrillic and punctuation one each', () => {
    for (const text of ['plain text', 'Crème brûlée', 'Ωμέγα', 'Привет', '“quotes” – dash…', ''])
      expect(width(text), text).toBe([...text].length);
  });

  it('counts wide characters and emoji two, combining marks, joiners and colour codes none', () => {
    expect(width('漢字')).toBe(4);
    expect(width('한국어')).toBe(6);
    expect(width('ｶﾀｶﾅ')).toBe(4); // half-width katakana
    expect(width('🚀')).toBe(2);
    expect(width('👩‍💻')).toBe(2); // one grapheme: woman, joiner, laptop
    expect(width('🇩🇪')).toBe(2);
    expect(width('e\u0301')).toBe(1);
    expect(width('a\u200bb')).toBe(2);
    expect(width('\u001b[1mbold\u001b[22m 漢')).toBe(7);
  });

  it('lines up table columns that hold wide text', () => {
    const table = renderTable(
      [{ header: 'KEY' }, { header: 'TITLE' }, { header: 'WHO' }],
      [
        ['A-1', '漢字 🚀', 'x'],
        ['A-2', 'plain', 'y'],
      ],
    );
    const [, wide, plain] = table.split('\n');
    expect(width(wide!.slice(0, wide!.lastIndexOf('x')))).toBe(plain!.lastIndexOf('y'));
  });
});

describe('colours', () => {
  it('go on after a nested style ends', () => {
    const c = createColors(true);
    expect(c.bold(`a ${c.dim('b')} c`)).toBe('\u001b[1ma \u001b[2mb\u001b[22m\u001b[1m c\u001b[22m');
    expect(c.red(`a ${c.cyan('b')} c`)).toBe('\u001b[31ma \u001b[36mb\u001b[31m c\u001b[39m');
  });

  it('are plain text when off', () => {
    const c = createColors(false);
    expect(c.bold(c.red('x'))).toBe('x');
  });
});
