import { beforeEach, describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from '../../src/cli/exit-codes.js';
import { webRepo, type boundPm } from '../helpers/cli.js';

let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  ({ cli } = await webRepo());
  await cli.ok(['item', 'add', 'Checkout page', '--assignee', 'me', '--description', 'two\nlines\tand a tab']);
  await cli.ok(['item', 'add', 'Cart \u001b[31mred\u001b[0m', '--priority', 'high']);
});

describe('--format and --fields on list commands', () => {
  it('item list --format prints one line per item from the template, no header, colour or truncation', async () => {
    const long = 'x'.repeat(150);
    await cli.ok(['item', 'add', long]);
    const r = await cli.ok(['item', 'list', '--format', '{key}\\t{status}\\t{title}'], { FORCE_COLOR: '1', COLUMNS: '40' });
    expect(r.stdout).toBe(`WEB-1\tbacklog\tCheckout page\nWEB-2\tbacklog\tCart \\x1b[31mred\\x1b[0m\nWEB-3\tbacklog\t${long}\n`);
  });

  it('--format keeps a record on one line: tabs and line breaks in values are written out, null is empty', async () => {
    const r = await cli.ok(['ls', '--format', '{key}|{description}|{story_points}']);
    expect(r.stdout).toBe('WEB-1|two\\nlines\\tand a tab|\nWEB-2||\n');
  });

  it('--format reads \\n in the template and streams every item with --all', async () => {
    await cli.ok(['done', 'WEB-1']);
    expect((await cli.ok(['ls', '--format', '{key}'])).stdout).toBe('WEB-2\n');
    expect((await cli.ok(['ls', '--all', '--format', '{key}:\\n  {status}'])).stdout).toBe('WEB-1:\n  done\nWEB-2:\n  backlog\n');
  });

  it('--fields picks and orders the table columns and the JSON keys', async () => {
    const table = await cli.ok(['item', 'list', '--fields', 'priority,key']);
    expect(table.stdout).toBe('PRIORITY  KEY\nmedium    WEB-1\nhigh      WEB-2\n');
    const json = await cli.ok(['ls', '--fields', 'title,key', '--json']);
    expect(json.stdout.indexOf('"title"')).toBeLessThan(json.stdout.indexOf('"key"'));
    expect(json.json()).toEqual([
      { title: 'Checkout page', key: 'WEB-1' },
      { title: 'Cart \u001b[31mred\u001b[0m', key: 'WEB-2' },
    ]);
    const streamed = await cli.json<unknown[]>(['ls', '--all', '--fields', 'key']);
    expect(streamed).toEqual([{ key: 'WEB-1' }, { key: 'WEB-2' }]);
  });

  it('pm ready takes --fields and --format like item list', async () => {
    expect((await cli.ok(['ready', '--format', '{key} {priority}'])).stdout).toBe('WEB-2 high\nWEB-1 medium\n');
    expect(await cli.json(['ready', '--fields', 'key'])).toEqual([{ key: 'WEB-2' }, { key: 'WEB-1' }]);
  });

  it('sprint list and time list take --fields and --format', async () => {
    await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14']);
    expect((await cli.ok(['sprint', 'list', '--format', '{name}: {start_date}..{end_date}'])).stdout).toBe(
      'Sprint 1: 2026-12-01..2026-12-14\n',
    );
    await cli.ok(['time', 'add', 'WEB-1', '--duration', '30m']);
    expect((await cli.ok(['time', 'list', '--format', '{key}\\t{duration_seconds}'])).stdout).toBe('WEB-1\t1800\n');
    // the default table's "total" line is part of the table, not of a chosen layout
    expect((await cli.ok(['time', 'list', '--fields', 'key,user_id'])).stdout).toBe(
      'KEY    USER_ID\nWEB-1  tester@example.com\n',
    );
  });

  it('project, lane, comment and dep list take --fields and --format too', async () => {
    expect((await cli.ok(['project', 'list', '--format', '{key}={title}'])).stdout).toBe('WEB=Website\n');
    const lanes = await cli.json<{ position: number; status_value: string }[]>([
      'lane',
      'list',
      '--fields',
      'position,status_value',
    ]);
    expect(lanes[0]).toEqual({ position: lanes[0]!.position, status_value: 'backlog' });
    await cli.ok(['comment', 'add', 'WEB-1', 'Looks good']);
    expect((await cli.ok(['comment', 'list', 'WEB-1', '--format', '{created_by}: {content}'])).stdout).toBe(
      'tester@example.com: Looks good\n',
    );
    await cli.ok(['dep', 'add', 'WEB-1', 'blocks', 'WEB-2']);
    expect((await cli.ok(['dep', 'list', '--fields', 'blocking_key,blocked_key'])).stdout).toBe(
      'BLOCKING_KEY  BLOCKED_KEY\nWEB-1         WEB-2\n',
    );
  });

  it('an unknown --fields field is refused naming the flag, the field and the allowed ones', async () => {
    const r = await cli.run(['item', 'list', '--fields', 'key,nope']);
    expect(r.code).toBe(USAGE_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--fields/);
    expect(r.stderr).toMatch(/Unknown field "nope"/);
    expect(r.stderr).toMatch(/the fields are key, id, .*title/);
  });

  it('unknown --format placeholders are refused, naming each of them', async () => {
    const r = await cli.run(['ready', '--format', '{key} {bad} {worse}']);
    expect(r.code).toBe(USAGE_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--format/);
    expect(r.stderr).toMatch(/Unknown fields "\{bad\}", "\{worse\}"/);
  });

  it('--format with --json is refused, naming both', async () => {
    const r = await cli.run(['sprint', 'list', '--format', '{name}', '--json']);
    expect(r.code).toBe(USAGE_EXIT_CODE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--format.*cannot be used with.*--json/);
  });

  it('shell completion offers the field names after --fields', async () => {
    const r = await cli.ok(['completion', 'bash']);
    expect(r.stdout).toMatch(/"item\/list --fields"\) words="key id [^\n]*story_points/);
  });
});
