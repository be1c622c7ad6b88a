import { beforeEach, describe, expect, it } from 'vitest';
import { parseDay, parseWhen, toTimestamp } from '../../src/domain/index.js';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const TZ = 'America/New_York';
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  cli = boundPm(tempDir(), { TZ });
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Web']);
  await cli.ok(['item', 'add', '--type', 'task', 'A']);
});

interface Entry {
  id: string;
  started_at: string;
  duration_seconds: number;
  version: number;
}

describe('times and durations typed on the command line', () => {
  it('refuse a day that does not exist and minutes past 59, naming the flag', async () => {
    const feb30 = await cli.run(['time', 'add', 'WEB-1', '--duration', '1h', '--started', '2026-02-30T10:00:00Z']);
    expect(feb30.code).toBe(2);
    expect(feb30.stderr).toMatch(/--started: no such date/);
    const colon = await cli.run(['time', 'add', 'WEB-1', '--duration', '1:99']);
    expect(colon.code).toBe(2);
    expect(colon.stderr).toMatch(/--duration: expected a duration/);
    const edit = await cli.run(['sprint', 'add', 'S1', '--start', '2026-02-30', '--end', '2026-03-14']);
    expect(edit.stderr).toMatch(/--start: expected a date/);
    expect(await cli.json<unknown[]>(['time', 'list'])).toEqual([]);
  });

  it('read local times in TZ, yesterday, relative times and working days', async () => {
    const ctx = { now: Date.now(), timeZone: TZ };
    const local = await cli.json<Entry>(['time', 'add', 'WEB-1', '--duration', '1d', '--started', '2026-12-03 09:15']);
    expect(local.started_at).toBe('2026-12-03T14:15:00.000Z');
    expect(local.duration_seconds).toBe(8 * 3600);
    const yesterday = await cli.json<Entry>(['time', 'add', 'WEB-1', '--duration', '2h30m', '--started', 'yesterday 9:00']);
    expect(yesterday.started_at).toBe(toTimestamp(parseWhen('yesterday 9:00', 'x', ctx)));
    const ago = await cli.json<Entry>(['time', 'add', 'WEB-1', '--duration', '90m', '--started', '2d ago']);
    expect(Math.abs(Date.parse(ago.started_at) - (ctx.now - 2 * 86_400_000))).toBeLessThan(60_000);
    const edited = await cli.json<Entry>(['time', 'edit', local.id, '--started', '2026-12-03T10:00:00-05:00']);
    expect(edited.started_at).toBe('2026-12-03T15:00:00.000Z');
    const sprint = await cli.json<{ start_date: string; end_date: string }>([
      'sprint',
      'add',
      'S1',
      '--start',
      'today',
      '--end',
      'tomorrow',
    ]);
    expect([sprint.start_date, sprint.end_date]).toEqual([parseDay('today', 'x', ctx), parseDay('tomorrow', 'x', ctx)]);
  });

  it('show times in the local zone, with its offset and how long ago; --json keeps UTC', async () => {
    await cli.ok(['time', 'add', 'WEB-1', '--duration', '1h', '--started', '2026-12-01T15:00:00Z']);
    await cli.ok(['time', 'add', 'WEB-1', '--duration', '1h', '--started', '2d ago']);
    const list = await cli.ok(['time', 'list']);
    expect(list.stdout).toContain('2026-12-01 10:00 UTC-5');
    expect(list.stdout).toMatch(/2 days ago/);
    const show = await cli.ok(['item', 'show', 'WEB-1']);
    expect(show.stdout).toMatch(/created\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC-[45] \(just now\) by/);
    const json = await cli.json<Entry[]>(['time', 'list']);
    expect(json[0]!.started_at).toBe('2026-12-01T15:00:00.000Z');
  });
});
