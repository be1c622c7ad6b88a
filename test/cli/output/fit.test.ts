import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/index.js';
import { renderTable } from '../../../src/cli/output/table.js';
import { width } from '../../../src/cli/output/width.js';
import { boundPm, testEnv } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

let dir: string;
const LONG_TITLE = 'A very long title that describes the card form and the payment flow in detail';

beforeAll(async () => {
  dir = tempDir();
  const cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
  await cli.ok(['item', 'add', LONG_TITLE, '--assignee', 'somebody.with.a.long.name@example.com', '--status', 'in_progress']);
  await cli.ok(['item', 'add', 'Short']);
  await cli.ok(['comment', 'add', 'WEB-1', 'A comment long enough to need cutting at eighty columns'], {
    PM_ACTOR: 'somebody.with.a.long.name@example.com',
  });
});

/** pm in this process on a terminal `columns` wide. */
async function onTerminal(args: string[], columns: number): Promise<string[]> {
  let stdout = '';
  const code = await main(args, {
    cwd: dir,
    env: testEnv(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    isTTY: true,
    columns,
  });
  expect(code).toBe(0);
  return stdout.trimEnd().split('\n');
}

describe('tables at the terminal width', () => {
  it('fit 80 columns by cutting the title, then the assignee, never the key or status', async () => {
    const lines = await onTerminal(['item', 'list'], 80);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    const row = lines.find((l) => l.startsWith('WEB-1'))!;
    expect(row).toMatch(/^WEB-1 +task +in_progress +med +A very long title.*… +somebody\.with.*…$/);
    expect(row.split(/\s{2,}/)[4]!.length).toBeGreaterThanOrEqual(20);
  });

  it('fit comments to 80 columns by cutting the text, then the author, keeping id and time whole', async () => {
    const lines = await onTerminal(['comment', 'list', 'WEB-1'], 80);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^[0-9a-f]{12} {2}somebody.*… {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC \(just now\) {2}A comment long.*…$/);
  });

  it('shows everything when the terminal is wide enough', async () => {
    const lines = await onTerminal(['item', 'list'], 200);
    expect(lines.find((l) => l.startsWith('WEB-1'))).toContain(`${LONG_TITLE}  somebody.with.a.long.name@example.com`);
  });

  it('keeps columns that neither flex nor shrink whole, however narrow the width', () => {
    const text = renderTable(
      [{ header: 'KEY' }, { header: 'TITLE', flex: true }, { header: 'STATUS' }],
      [['WEB-123', 'Title that is long enough to cut', 'in_progress']],
      { width: 20 },
    );
    expect(text.split('\n')[1]).toBe('WEB-123  Titl…  in_progress');
  });
});

describe('the board at the terminal width', () => {
  it('puts lanes side by side at 80 columns, empty lanes as narrow as their titles', async () => {
    const lines = await onTerminal(['board'], 80);
    expect(lines[2]).toMatch(/^Backlog \(1\) +To do \(0\) {2}In progress \(1\) +Review \(0\) {2}Done \(0\)$/);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    expect(lines[4]).toMatch(/WEB-1 A very long tit.*…$/);
  });

  it('gives the cards the width of a wide terminal', async () => {
    const lines = await onTerminal(['board'], 200);
    const cardLine = lines[4]!;
    expect(width(cardLine)).toBeGreaterThan(150);
    expect(cardLine).toContain('WEB-1 A very long title that describes the card form and the payment flow');
  });
});
